-- Resumes the paused deliveries of a re-enabled endpoint, due now.
-- Parameters: $1 now, $2 endpoint_id.
UPDATE deliveries
SET next_attempt_at = $1, updated_at = $1
WHERE endpoint_id = $2 AND status = 1 AND next_attempt_at IS NULL
