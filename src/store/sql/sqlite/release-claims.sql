-- Makes every claimed (sending) delivery due now: used at start when one process owns the
-- database, so claims left by a crashed run need not wait for their lease.
-- Parameters: ?1 now.
UPDATE deliveries SET status = 1, next_attempt_at = ?1, updated_at = ?1 WHERE status = 3
