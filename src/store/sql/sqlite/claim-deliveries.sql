-- Claims due deliveries for a worker: marks them sending and moves next_attempt_at to the
-- end of the lease, so they fall due again if the worker dies.
-- Parameters: :now, :lease_end, :limit.
UPDATE deliveries
SET status = :status_sending, next_attempt_at = :lease_end, updated_at = :now
WHERE rowid IN (
  SELECT rowid FROM deliveries
  WHERE next_attempt_at <= :now
  ORDER BY next_attempt_at
  LIMIT :limit
)
RETURNING msg_id, endpoint_id, app_id, attempt_count, trigger_type
