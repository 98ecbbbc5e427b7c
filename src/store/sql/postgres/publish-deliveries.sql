-- Stores the deliveries of a group of published messages in one statement. An endpoint
-- deleted since it was read gets none (the delete has committed; there is nothing to send to).
-- Parameters: :deliveries (JSON array of {msgId, endpointId, appId, status, nextAttemptAt,
-- triggerType, createdAt}).
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
WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d."endpointId")
