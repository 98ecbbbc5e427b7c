-- Stores a group of published messages in one statement. A message whose eventId its
-- application already has (or that an earlier message of the group took) is left out: its
-- id is not returned.
-- Parameters: :messages (JSON array of {id, appId, eventId, eventType, payload, contentType,
-- channels, tags, createdAt, deliverAt, requestId}).
INSERT INTO messages (
  id, app_id, event_id, event_type, payload, content_type, channels, tags, created_at,
  deliver_at, request_id
)
SELECT m."id", m."appId", m."eventId", m."eventType", m."payload", m."contentType",
  m."channels", m."tags", m."createdAt", m."deliverAt", m."requestId"
FROM json_to_recordset(:messages::json) AS m(
  "id" TEXT, "appId" TEXT, "eventId" TEXT, "eventType" TEXT, "payload" TEXT,
  "contentType" TEXT, "channels" TEXT, "tags" TEXT, "createdAt" BIGINT, "deliverAt" BIGINT,
  "requestId" TEXT
)
ON CONFLICT (app_id, event_id) DO NOTHING
RETURNING id
