-- Makes every claimed (sending) delivery due now: used at start when one process owns the
-- database (embedded SQLite), so claims left by a crashed run need not wait for their lease.
-- Never where several nodes share the database: other nodes may hold these claims, so leases
-- expire instead.
-- Parameters: :now.
UPDATE deliveries SET status = :status_pending, next_attempt_at = :now, updated_at = :now
WHERE status = :status_sending
