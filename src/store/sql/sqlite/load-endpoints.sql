-- The claimed deliveries' endpoints (json_each over a JSON array of ids).
-- Parameters: ?1 JSON array of endpoint ids.
SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?1))
