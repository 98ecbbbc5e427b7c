-- Records one attempt (run once per attempt of a batch, inside one transaction, with
-- finish-attempt). An attempt whose endpoint was deleted while it was in flight is left out,
-- rather than failing the batch on the foreign key.
-- Parameters: :id, :msg_id, :endpoint_id, :app_id, :url, :status, :response_status_code,
-- :response, :response_duration_ms, :trigger_type, :created_at, :request_headers (JSON text,
-- sensitive values masked), :private_destination (0 or 1).
INSERT INTO attempts (
  id, msg_id, endpoint_id, app_id, url, status, response_status_code, response,
  response_duration_ms, trigger_type, created_at, request_headers, private_destination
)
SELECT :id, :msg_id, :endpoint_id, :app_id, :url, :status, :response_status_code, :response,
  :response_duration_ms, :trigger_type, :created_at, :request_headers, :private_destination
WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = :endpoint_id)
