-- Records a batch of attempts in one statement.
-- Parameters: $1 JSON array of attempts {id, msgId, endpointId, appId, url, status,
-- responseStatusCode, response, responseDurationMs, triggerType, createdAt}.
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at
)
SELECT a."id", a."msgId", a."endpointId", a."appId", a."url", a."status", a."responseStatusCode",
  a."response", a."responseDurationMs", a."triggerType", a."createdAt"
FROM jsonb_to_recordset($1::jsonb) AS a(
  "id" TEXT, "msgId" TEXT, "endpointId" TEXT, "appId" TEXT, "url" TEXT, "status" INTEGER,
  "responseStatusCode" INTEGER, "response" TEXT, "responseDurationMs" INTEGER,
  "triggerType" INTEGER, "createdAt" BIGINT
)
