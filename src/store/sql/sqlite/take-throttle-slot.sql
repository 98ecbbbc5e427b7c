-- Takes an endpoint's next send slot under its throttle rate, shared by every worker: granted
-- (a row comes back) when the slot has come, and the next one moves one interval on.
-- Parameters: ?1 now, ?2 interval in ms, ?3 endpoint_id.
UPDATE endpoints
SET throttle_next_at = MAX(COALESCE(throttle_next_at, 0), ?1) + ?2
WHERE id = ?3 AND COALESCE(throttle_next_at, 0) <= ?1
RETURNING throttle_next_at
