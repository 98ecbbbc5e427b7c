-- When the next delivery falls due after a time (NULL when none is scheduled then): an index
-- seek, however many deliveries are due before it.
-- Parameters: :after (exclusive).
SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE next_attempt_at > :after
