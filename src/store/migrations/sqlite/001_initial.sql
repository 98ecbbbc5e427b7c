-- Herald's first schema (SQLite). Times are integer milliseconds since the epoch, bound from
-- the injected clock; JSON documents are stored as text.

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  uid TEXT UNIQUE,
  name TEXT NOT NULL,
  rate_limit INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  policy TEXT,
  internal INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE event_types (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0,
  deprecated INTEGER NOT NULL DEFAULT 0,
  schemas TEXT,
  feature_flag TEXT,
  group_name TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE endpoints (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  uid TEXT,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  rate_limit INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  filter_types TEXT,
  channels TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  headers TEXT NOT NULL DEFAULT '{}',
  secrets TEXT NOT NULL,
  policy TEXT,
  fail_since INTEGER,
  exhausted_count INTEGER NOT NULL DEFAULT 0,
  throttle_next_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_by_app ON endpoints (app_id, id);

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  event_id TEXT,
  event_type TEXT NOT NULL,
  payload TEXT,
  expired INTEGER NOT NULL DEFAULT 0,
  channels TEXT,
  tags TEXT,
  created_at INTEGER NOT NULL,
  deliver_at INTEGER,
  UNIQUE (app_id, event_id)
);
CREATE INDEX messages_by_app ON messages (app_id, id);

-- A delivery is the pair (message, endpoint) and is also the queue's job: a row whose
-- next_attempt_at has come is due. Claiming a row moves next_attempt_at to the end of the
-- worker's lease, so a crashed worker's rows fall due again by themselves. A pending row
-- with no next_attempt_at is paused (its endpoint is disabled).
CREATE TABLE deliveries (
  msg_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  attempt_count INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  trigger_type INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (msg_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, msg_id);

CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  msg_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  url TEXT NOT NULL,
  status INTEGER NOT NULL,
  response_status_code INTEGER NOT NULL,
  response TEXT,
  response_duration_ms INTEGER NOT NULL,
  trigger_type INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX attempts_by_msg ON attempts (msg_id, id);
CREATE INDEX attempts_by_endpoint ON attempts (endpoint_id, id);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  app_id TEXT REFERENCES applications (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE idempotency_keys (
  key_hash TEXT PRIMARY KEY,
  state INTEGER NOT NULL,
  status_code INTEGER,
  body TEXT,
  expires_at INTEGER NOT NULL
);

-- Long operations (recover, replay) run as background tasks whose progress the API shows.
CREATE TABLE background_tasks (
  id TEXT PRIMARY KEY,
  app_id TEXT REFERENCES applications (id) ON DELETE CASCADE,
  task TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
