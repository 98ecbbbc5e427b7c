-- The claimed deliveries' endpoints, with their application's delivery policy (json_each
-- over a JSON array of ids).
-- Parameters: :ids (JSON array of endpoint ids).
SELECT e.*, a.policy AS app_policy
FROM endpoints e JOIN applications a ON a.id = e.app_id
WHERE e.id IN (SELECT value FROM json_each(:ids))
