-- Stores a group of published messages and their deliveries in one statement: atomic by
-- itself, so a group is one round trip with no transaction around it. A message whose eventId
-- its application already has (or that an earlier message of the group took) is left out with
-- its deliveries: its id is not returned. An endpoint deleted since it was read gets none (the
-- delete has committed; there is nothing to send to).
-- Parameters: :messages (JSON array of {id, appId, eventId, eventType, payload, contentType,
-- channels, tags, createdAt, deliverAt, requestId}); :deliveries (JSON array of {msgId,
-- endpointId, appId, status, nextAttemptAt, triggerType, createdAt}).
WITH stored AS (
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
), queued AS (
  INSERT INTO deliveries (
    msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, trigger_type,
    created_at, updated_at
  )
  SELECT d."msgId", d."endpointId", d."appId", d."status", 0, d."nextAttemptAt",
    d."triggerType", d."createdAt", d."createdAt"
  FROM json_to_recordset(:deliveries::json) AS d(
    "msgId" TEXT, "endpointId" TEXT, "appId" TEXT, "status" INTEGER, "nextAttemptAt" BIGINT,
    "triggerType" INTEGER, "createdAt" BIGINT
  )
  WHERE d."msgId" IN (SELECT id FROM stored)
    AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d."endpointId")
)
SELECT id FROM stored
