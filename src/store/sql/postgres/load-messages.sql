-- The parts of claimed messages a worker needs to send them.
-- Parameters: :ids (JSON array of message ids).
SELECT id, event_id, event_type, payload, content_type, expired, channels, created_at,
  request_id
FROM messages WHERE id IN (SELECT jsonb_array_elements_text(:ids::jsonb))
