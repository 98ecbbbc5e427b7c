-- Moves a claimed delivery on after an attempt: its new status and next attempt time. The
-- attempt_count guard ignores a worker whose lease ran out and whose row was claimed again.
-- Parameters: $1 status, $2 next_attempt_at, $3 now, $4 msg_id, $5 endpoint_id,
-- $6 attempt_count seen at claim, $7 attempts to add (1 for a scheduled try, 0 for manual).
UPDATE deliveries
SET status = $1, next_attempt_at = $2, updated_at = $3, attempt_count = attempt_count + $7
WHERE msg_id = $4 AND endpoint_id = $5 AND attempt_count = $6
