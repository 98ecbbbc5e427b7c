-- Pauses the pending deliveries of a disabled endpoint.
-- Parameters: :now, :endpoint_id.
UPDATE deliveries
SET next_attempt_at = NULL, status = :status_pending, updated_at = :now
WHERE endpoint_id = :endpoint_id AND next_attempt_at IS NOT NULL
  AND status IN (:status_pending, :status_sending)
