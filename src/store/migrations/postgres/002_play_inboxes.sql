-- Play: temporary inboxes that record the requests sent to them. The inbox id (128 random
-- bits) is the capability that reads them. A request keeps its body bytes (cut at the
-- configured size) and the verdict on its signature, worked out when it arrived.
CREATE TABLE play_inboxes (
  id TEXT PRIMARY KEY,
  app_id TEXT REFERENCES applications (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX play_inboxes_expiry ON play_inboxes (expires_at);

CREATE TABLE play_requests (
  id TEXT PRIMARY KEY,
  inbox_id TEXT NOT NULL REFERENCES play_inboxes (id) ON DELETE CASCADE,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BYTEA NOT NULL,
  body_size INTEGER NOT NULL,
  signature TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE INDEX play_requests_inbox ON play_requests (inbox_id, id);
