-- What a request with an idempotency key carried (a hash of its body): a repeat with the same
-- key and a different body is refused instead of replayed.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT;
-- The content type of a message published with a raw payload (`transformationsParams`);
-- null for JSON payloads. The payload column then holds the raw text, sent as it is.
ALTER TABLE messages ADD COLUMN content_type TEXT;
