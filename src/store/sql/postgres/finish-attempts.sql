-- Moves a batch of claimed deliveries on after their attempts. The attempt_count guard
-- ignores a worker whose lease ran out and whose row was claimed again.
-- Parameters: $1 JSON array of {msgId, endpointId, seenCount, status, nextAttemptAt, add},
-- $2 now.
UPDATE deliveries d
SET status = f."status", next_attempt_at = f."nextAttemptAt",
  attempt_count = d.attempt_count + f."add", updated_at = $2
FROM jsonb_to_recordset($1::jsonb) AS f(
  "msgId" TEXT, "endpointId" TEXT, "seenCount" INTEGER, "status" INTEGER,
  "nextAttemptAt" BIGINT, "add" INTEGER
)
WHERE d.msg_id = f."msgId" AND d.endpoint_id = f."endpointId" AND d.attempt_count = f."seenCount"
