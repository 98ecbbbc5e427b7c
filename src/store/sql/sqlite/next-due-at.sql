-- When the next delivery falls due (no row when none is scheduled), leaving out the
-- endpoints and applications a worker has no room for (they wake it when they have).
-- Parameters: ?1 JSON array of endpoint ids to skip, ?2 JSON array of application ids to skip.
SELECT next_attempt_at AS at FROM deliveries
WHERE next_attempt_at IS NOT NULL
  AND endpoint_id NOT IN (SELECT value FROM json_each(?1))
  AND app_id NOT IN (SELECT value FROM json_each(?2))
ORDER BY next_attempt_at
LIMIT 1
