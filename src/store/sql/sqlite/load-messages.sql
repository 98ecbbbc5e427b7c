-- The parts of claimed messages a worker needs to send them (json_each over a JSON array of ids).
-- Parameters: :ids (JSON array of message ids).
SELECT id, event_id, event_type, payload, content_type, expired, channels, created_at,
  request_id
FROM messages WHERE id IN (SELECT value FROM json_each(:ids))
