-- Records one HTTP attempt of a delivery.
-- Parameters: $1 id, $2 msg_id, $3 endpoint_id, $4 app_id, $5 url, $6 status,
-- $7 response_status_code, $8 response, $9 response_duration_ms, $10 trigger_type, $11 created_at.
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
