-- Resumes the paused deliveries of a re-enabled endpoint, due now.
-- Parameters: :now, :endpoint_id.
UPDATE deliveries
SET next_attempt_at = :now, updated_at = :now
WHERE endpoint_id = :endpoint_id AND status = :status_pending AND next_attempt_at IS NULL
