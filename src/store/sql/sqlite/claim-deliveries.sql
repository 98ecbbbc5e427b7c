-- Claims due deliveries for a worker: marks them sending and moves next_attempt_at to the
-- end of the lease, so they fall due again if the worker dies. Deliveries to the endpoints
-- and applications the worker has no room for stay where they are, in their turn.
-- Parameters: ?1 now, ?2 lease end, ?3 how many, ?4 JSON array of endpoint ids to skip,
-- ?5 JSON array of application ids to skip.
UPDATE deliveries
SET status = 3, next_attempt_at = ?2, updated_at = ?1
WHERE rowid IN (
  SELECT rowid FROM deliveries
  WHERE next_attempt_at <= ?1
    AND endpoint_id NOT IN (SELECT value FROM json_each(?4))
    AND app_id NOT IN (SELECT value FROM json_each(?5))
  ORDER BY next_attempt_at
  LIMIT ?3
)
RETURNING msg_id, endpoint_id, app_id, attempt_count, trigger_type
