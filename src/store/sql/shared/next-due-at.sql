-- When the next delivery falls due (NULL when none is scheduled).
-- Parameters: none.
SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE next_attempt_at IS NOT NULL
