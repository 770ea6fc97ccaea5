-- Times are integer milliseconds since the epoch; JSON columns hold TEXT.
CREATE TABLE applications (
  id          TEXT PRIMARY KEY,
  uid         TEXT UNIQUE,
  name        TEXT NOT NULL,
  rate_limit  INTEGER,
  metadata    TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE event_types (
  name          TEXT PRIMARY KEY,
  description   TEXT NOT NULL,
  archived      INTEGER NOT NULL DEFAULT 0,
  deprecated    INTEGER NOT NULL DEFAULT 0,
  schemas       TEXT,
  feature_flag  TEXT,
  group_name    TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE endpoints (
  id               TEXT PRIMARY KEY,
  app_id           TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  uid              TEXT,
  url              TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  version          INTEGER NOT NULL DEFAULT 1,
  rate_limit       INTEGER,
  disabled         INTEGER NOT NULL DEFAULT 0,
  disabled_reason  TEXT,
  filter_types     TEXT,
  channels         TEXT,
  metadata         TEXT NOT NULL DEFAULT '{}',
  headers          TEXT NOT NULL DEFAULT '{}',
  secrets          TEXT NOT NULL,
  max_in_flight    INTEGER,
  ordered          INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

CREATE TABLE messages (
  id          TEXT PRIMARY KEY,
  app_id      TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  event_type  TEXT NOT NULL,
  event_id    TEXT,
  payload     TEXT NOT NULL,
  channels    TEXT,
  tags        TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX messages_app ON messages (app_id, id);
CREATE UNIQUE INDEX messages_event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_created ON messages (created_at);

-- One row per (message, endpoint): the unit the workers claim, lease and retry.
CREATE TABLE deliveries (
  id               TEXT PRIMARY KEY,
  app_id           TEXT NOT NULL,
  msg_id           TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id      TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  lease_until      INTEGER,
  lease_token      TEXT,
  trigger          TEXT NOT NULL DEFAULT 'scheduled',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (msg_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, msg_id);

CREATE TABLE attempts (
  id                    TEXT PRIMARY KEY,
  app_id                TEXT NOT NULL,
  msg_id                TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id           TEXT NOT NULL,
  delivery_id           TEXT NOT NULL,
  url                   TEXT NOT NULL,
  status                TEXT NOT NULL,
  response_status_code  INTEGER NOT NULL,
  response              TEXT NOT NULL,
  response_duration_ms  INTEGER NOT NULL,
  error_class           TEXT,
  trigger               TEXT NOT NULL,
  created_at            INTEGER NOT NULL
);
CREATE INDEX attempts_msg ON attempts (msg_id, id);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);

CREATE TABLE idempotency_keys (
  key           TEXT PRIMARY KEY,
  request_hash  TEXT NOT NULL,
  status_code   INTEGER,
  body          TEXT,
  expires_at    INTEGER NOT NULL
);

CREATE TABLE settings (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
