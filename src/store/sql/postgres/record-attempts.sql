-- Records a batch of attempts and moves their deliveries on, in one statement (atomic by
-- itself, so a batch with no transaction to ride on costs one round trip). The
-- attempt_count guard ignores a worker whose lease ran out and whose row was claimed again.
-- Attempts have no foreign keys here (migration 004): an attempt whose endpoint was deleted
-- while it was in flight is left out instead of failing the batch.
-- Parameters: :attempts (JSON array of {id, msgId, endpointId, appId, url, status,
-- responseStatusCode, response, responseDurationMs, triggerType, createdAt, requestHeaders
-- (JSON text, sensitive values masked), privateDestination (0 or 1)}), :moves (JSON array of
-- {msgId, endpointId, seenCount, status, nextAttemptAt, add}), :now.
WITH recorded AS (
  INSERT INTO attempts (
    id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
    response_duration_ms, trigger_type, created_at, request_headers, private_destination
  )
  SELECT a."id", a."msgId", a."endpointId", a."appId", a."url", a."status",
    a."responseStatusCode", a."response", a."responseDurationMs", a."triggerType", a."createdAt",
    a."requestHeaders", a."privateDestination"
  FROM jsonb_to_recordset(:attempts::jsonb) AS a(
    "id" TEXT, "msgId" TEXT, "endpointId" TEXT, "appId" TEXT, "url" TEXT, "status" INTEGER,
    "responseStatusCode" INTEGER, "response" TEXT, "responseDurationMs" INTEGER,
    "triggerType" INTEGER, "createdAt" BIGINT, "requestHeaders" TEXT,
    "privateDestination" INTEGER
  )
  WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = a."endpointId")
)
UPDATE deliveries d
SET status = f."status", next_attempt_at = f."nextAttemptAt",
  attempt_count = d.attempt_count + f."add", updated_at = :now
FROM jsonb_to_recordset(:moves::jsonb) AS f(
  "msgId" TEXT, "endpointId" TEXT, "seenCount" INTEGER, "status" INTEGER,
  "nextAttemptAt" BIGINT, "add" INTEGER
)
WHERE d.msg_id = f."msgId" AND d.endpoint_id = f."endpointId" AND d.attempt_count = f."seenCount"
  -- Still sending: a resend or a pause while the attempt was in flight is kept.
  AND d.status = :status_sending
  -- Redundant for the result, but it tells the planner how few rows the batch touches: a
  -- join against a JSON array is estimated at 100 rows, which makes a full scan of a table
  -- of up to about 15,000 deliveries look cheaper than looking each one up.
  AND d.msg_id = ANY (ARRAY(SELECT jsonb_array_elements(:moves::jsonb) ->> 'msgId'))
