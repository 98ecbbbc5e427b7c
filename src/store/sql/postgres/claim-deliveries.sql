-- Claims due deliveries for a worker: marks them sending and moves next_attempt_at to the
-- end of the lease, so they fall due again if the worker dies. SKIP LOCKED lets several
-- workers claim from one queue without waiting on each other or claiming the same rows.
-- Parameters: :now, :lease_end, :limit.
WITH due AS (
  SELECT msg_id, endpoint_id FROM deliveries
  WHERE next_attempt_at <= :now
  ORDER BY next_attempt_at
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
)
UPDATE deliveries d
SET status = :status_sending, next_attempt_at = :lease_end, updated_at = :now
FROM due
WHERE d.msg_id = due.msg_id AND d.endpoint_id = due.endpoint_id
RETURNING d.msg_id, d.endpoint_id, d.app_id, d.attempt_count, d.trigger_type
