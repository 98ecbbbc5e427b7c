-- An endpoint failed: remember since when it has been failing, and count exhausted
-- deliveries. Returns the endpoint's failure state.
-- Parameters: $1 now, $2 exhausted deliveries to add, $3 endpoint_id.
UPDATE endpoints
SET fail_since = COALESCE(fail_since, $1), exhausted_count = exhausted_count + $2
WHERE id = $3
RETURNING fail_since, exhausted_count, disabled
