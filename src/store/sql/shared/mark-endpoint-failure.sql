-- An endpoint failed: remember since when it has been failing, and count exhausted
-- deliveries. Returns the endpoint's failure state.
-- Parameters: :now, :exhausted (exhausted deliveries to add), :endpoint_id.
UPDATE endpoints
SET fail_since = COALESCE(fail_since, :now), exhausted_count = exhausted_count + :exhausted
WHERE id = :endpoint_id
RETURNING fail_since, exhausted_count, disabled
