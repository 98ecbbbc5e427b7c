-- Takes an endpoint's next send slot under its throttle rate, shared by every worker: granted
-- (a row comes back) when the slot has come, and the next one opens one interval from now.
-- Parameters: :now, :interval_ms, :endpoint_id.
UPDATE endpoints
SET throttle_next_at = :now + :interval_ms
WHERE id = :endpoint_id AND COALESCE(throttle_next_at, 0) <= :now
RETURNING throttle_next_at
