-- Records a batch of attempts in one statement.
-- Parameters: ?1 JSON array of attempts {id, msgId, endpointId, appId, url, status,
-- responseStatusCode, response, responseDurationMs, triggerType, createdAt}.
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at
)
SELECT
  json_extract(value, '$.id'), json_extract(value, '$.msgId'), json_extract(value, '$.endpointId'),
  json_extract(value, '$.appId'), json_extract(value, '$.url'), json_extract(value, '$.status'),
  json_extract(value, '$.responseStatusCode'), json_extract(value, '$.response'),
  json_extract(value, '$.responseDurationMs'), json_extract(value, '$.triggerType'),
  json_extract(value, '$.createdAt')
FROM json_each(?1)
