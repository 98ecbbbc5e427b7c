-- Puts a claimed delivery back without an attempt, due again at the given time (NULL pauses it).
-- Parameters: $1 next_attempt_at, $2 now, $3 msg_id, $4 endpoint_id.
UPDATE deliveries
SET status = 1, next_attempt_at = $1, updated_at = $2
WHERE msg_id = $3 AND endpoint_id = $4
