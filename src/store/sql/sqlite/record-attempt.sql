-- Records one attempt (run once per attempt of a batch, inside one transaction, with
-- finish-attempt).
-- Parameters: :id, :msg_id, :endpoint_id, :app_id, :url, :status, :response_status_code,
-- :response, :response_duration_ms, :trigger_type, :created_at.
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at
) VALUES (
  :id, :msg_id, :endpoint_id, :app_id, :url, :status, :response_status_code, :response,
  :response_duration_ms, :trigger_type, :created_at
)
