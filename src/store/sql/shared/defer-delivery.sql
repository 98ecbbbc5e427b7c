-- Puts a claimed delivery back without an attempt, due again at the given time (NULL pauses it).
-- Parameters: :next_attempt_at, :now, :msg_id, :endpoint_id.
UPDATE deliveries
SET status = :status_pending, next_attempt_at = :next_attempt_at, updated_at = :now
WHERE msg_id = :msg_id AND endpoint_id = :endpoint_id
