-- Moves one claimed delivery on after its attempt (run once per attempt of a batch, inside
-- one transaction). The attempt_count guard ignores a worker whose lease ran out and whose
-- row was claimed again; the status guard (still sending) keeps what happened to the row
-- while the attempt was in flight: a manual resend queued it again, or its endpoint was paused.
-- Parameters: :status, :next_attempt_at, :add (added to attempt_count), :now, :msg_id,
-- :endpoint_id, :seen_count (the attempt_count seen at claim).
UPDATE deliveries
SET status = :status, next_attempt_at = :next_attempt_at, attempt_count = attempt_count + :add,
  updated_at = :now
WHERE msg_id = :msg_id AND endpoint_id = :endpoint_id AND attempt_count = :seen_count
  AND status = :status_sending
