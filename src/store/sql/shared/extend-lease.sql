-- Extends the lease of a claimed delivery whose endpoint may take longer to answer than the
-- claim's lease allows, so that no other worker claims it while its attempt is in flight.
-- Parameters: :lease_end, :msg_id, :endpoint_id, :seen_count (the attempt_count seen at claim).
UPDATE deliveries
SET next_attempt_at = :lease_end
WHERE msg_id = :msg_id AND endpoint_id = :endpoint_id AND attempt_count = :seen_count
  AND status = :status_sending
