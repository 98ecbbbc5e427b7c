-- Moves one claimed delivery on after its attempt (run once per attempt of a batch, inside
-- one transaction). The attempt_count guard ignores a worker whose lease ran out and whose
-- row was claimed again; the status guard (3, sending) keeps what happened to the row while
-- the attempt was in flight: a manual resend queued it again, or its endpoint was paused.
-- Parameters: ?1 status, ?2 next attempt at, ?3 added to attempt_count, ?4 now, ?5 msg id,
-- ?6 endpoint id, ?7 the attempt_count seen at claim.
UPDATE deliveries
SET status = ?1, next_attempt_at = ?2, attempt_count = attempt_count + ?3, updated_at = ?4
WHERE msg_id = ?5 AND endpoint_id = ?6 AND attempt_count = ?7 AND status = 3
