-- Moves a batch of claimed deliveries on after their attempts. The attempt_count guard
-- ignores a worker whose lease ran out and whose row was claimed again.
-- Parameters: ?1 JSON array of {msgId, endpointId, seenCount, status, nextAttemptAt, add},
-- ?2 now.
UPDATE deliveries
SET status = json_extract(f.value, '$.status'),
  next_attempt_at = json_extract(f.value, '$.nextAttemptAt'),
  attempt_count = attempt_count + json_extract(f.value, '$.add'),
  updated_at = ?2
FROM json_each(?1) AS f
WHERE deliveries.msg_id = json_extract(f.value, '$.msgId')
  AND deliveries.endpoint_id = json_extract(f.value, '$.endpointId')
  AND deliveries.attempt_count = json_extract(f.value, '$.seenCount')
