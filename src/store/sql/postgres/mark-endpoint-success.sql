-- An endpoint answered 2xx: it is healthy again.
-- Parameters: $1 endpoint_id.
UPDATE endpoints SET fail_since = NULL, exhausted_count = 0
WHERE id = $1 AND (fail_since IS NOT NULL OR exhausted_count > 0)
