-- An endpoint answered 2xx: it is healthy again.
-- Parameters: :endpoint_id.
UPDATE endpoints SET fail_since = NULL, exhausted_count = 0
WHERE id = :endpoint_id AND (fail_since IS NOT NULL OR exhausted_count > 0)
