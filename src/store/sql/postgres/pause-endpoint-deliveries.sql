-- Pauses the pending deliveries of a disabled endpoint.
-- Parameters: $1 now, $2 endpoint_id.
UPDATE deliveries
SET next_attempt_at = NULL, status = 1, updated_at = $1
WHERE endpoint_id = $2 AND next_attempt_at IS NOT NULL AND status IN (1, 3)
