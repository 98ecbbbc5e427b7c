-- Makes every claimed (sending) delivery due now. Only for single-process databases; on
-- PostgreSQL other nodes may hold these claims, so leases expire instead.
-- Parameters: $1 now.
UPDATE deliveries SET status = 1, next_attempt_at = $1, updated_at = $1 WHERE status = 3
