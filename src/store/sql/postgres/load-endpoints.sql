-- The claimed deliveries' endpoints, with their application's delivery policy.
-- Parameters: :ids (JSON array of endpoint ids).
SELECT e.*, a.policy AS app_policy
FROM endpoints e JOIN applications a ON a.id = e.app_id
WHERE e.id IN (SELECT jsonb_array_elements_text(:ids::jsonb))
