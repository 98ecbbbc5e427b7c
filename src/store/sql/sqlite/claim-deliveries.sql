-- Claims due deliveries for a worker: marks them sending and moves next_attempt_at to the
-- end of the lease, so they fall due again if the worker dies. Deliveries to the endpoints
-- and applications the worker has no room for stay where they are, in their turn.
-- Parameters: :now, :lease_end, :limit, :skip_endpoints and :skip_apps (JSON arrays of the
-- endpoint and application ids to skip).
UPDATE deliveries
SET status = :status_sending, next_attempt_at = :lease_end, updated_at = :now
WHERE rowid IN (
  SELECT rowid FROM deliveries
  WHERE next_attempt_at <= :now
    AND endpoint_id NOT IN (SELECT value FROM json_each(:skip_endpoints))
    AND app_id NOT IN (SELECT value FROM json_each(:skip_apps))
  ORDER BY next_attempt_at
  LIMIT :limit
)
RETURNING msg_id, endpoint_id, app_id, attempt_count, trigger_type
