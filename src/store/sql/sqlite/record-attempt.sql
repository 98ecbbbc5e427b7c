-- Records one attempt (run once per attempt of a batch, inside one transaction, with
-- finish-attempt).
-- Parameters: ?1 id, ?2 msg id, ?3 endpoint id, ?4 app id, ?5 url, ?6 status,
-- ?7 response status code, ?8 response, ?9 response duration ms, ?10 trigger type,
-- ?11 created at, ?12 request headers (JSON text, sensitive values masked),
-- ?13 private destination (0 or 1).
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at, request_headers, private_destination
) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
