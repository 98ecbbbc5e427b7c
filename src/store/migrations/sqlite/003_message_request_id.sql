-- The id of the API request that published each message, so that its attempts, the later
-- ones too (retries, another node's), name that request in their log lines. Null for
-- messages published before this, or not through the API.
ALTER TABLE messages ADD COLUMN request_id TEXT;
