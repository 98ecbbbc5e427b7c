-- Claims due deliveries for a worker: marks them sending and moves next_attempt_at to the
-- end of the lease, so they fall due again if the worker dies.
-- Parameters: ?1 now, ?2 lease end, ?3 how many.
UPDATE deliveries
SET status = 3, next_attempt_at = ?2, updated_at = ?1
WHERE rowid IN (
  SELECT rowid FROM deliveries
  WHERE next_attempt_at <= ?1
  ORDER BY next_attempt_at
  LIMIT ?3
)
RETURNING msg_id, endpoint_id, app_id, attempt_count, trigger_type
