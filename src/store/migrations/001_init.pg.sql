-- Ids and names use the "C" collation so that text order is byte order, the
-- order Hookline's time-sortable ids are designed for (keyset paging relies on it),
-- whatever the database's default collation is.
-- JSON columns use `json`, not `jsonb`: stored as sent (key order kept) and never queried into.

CREATE TABLE applications (
  id          text COLLATE "C" PRIMARY KEY,
  uid         text COLLATE "C" UNIQUE,
  name        text NOT NULL,
  rate_limit  integer,
  metadata    json NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE event_types (
  name          text COLLATE "C" PRIMARY KEY,
  description   text NOT NULL,
  archived      boolean NOT NULL DEFAULT false,
  deprecated    boolean NOT NULL DEFAULT false,
  schemas       json,
  feature_flag  text,
  group_name    text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE endpoints (
  id               text COLLATE "C" PRIMARY KEY,
  app_id           text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  uid              text COLLATE "C",
  url              text NOT NULL,
  description      text NOT NULL DEFAULT '',
  version          integer NOT NULL DEFAULT 1,
  rate_limit       integer,
  disabled         boolean NOT NULL DEFAULT false,
  disabled_reason  text,
  filter_types     text[],
  channels         text[],
  metadata         json NOT NULL DEFAULT '{}',
  headers          json NOT NULL DEFAULT '{}',
  -- [{key, expiresAt (epoch ms or null)}], newest first
  secrets          json NOT NULL,
  max_in_flight    integer,
  ordered          boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_app ON endpoints (app_id, id);

CREATE TABLE messages (
  id          text COLLATE "C" PRIMARY KEY,
  app_id      text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  event_type  text NOT NULL,
  event_id    text,
  -- the JSON text exactly as accepted: these bytes are signed and sent
  payload     text NOT NULL,
  channels    text[],
  tags        text[],
  created_at  timestamptz NOT NULL
);
CREATE INDEX messages_app ON messages (app_id, id);
CREATE UNIQUE INDEX messages_event_id ON messages (app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_created ON messages (created_at);

-- One row per (message, endpoint): the unit the workers claim, lease and retry.
-- due_at is when a worker may claim the row next: the next attempt while
-- pending, the lease expiry while sending, NULL when finished or parked
-- (endpoint disabled). One partial index on it serves both "due" and "lease
-- expired", so a claim is a single ordered index range scan.
CREATE TABLE deliveries (
  id               text COLLATE "C" PRIMARY KEY,
  app_id           text COLLATE "C" NOT NULL,
  msg_id           text COLLATE "C" NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  endpoint_id      text COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  status           text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  due_at           timestamptz,
  lease_token      text,
  trigger          text NOT NULL DEFAULT 'scheduled',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (msg_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, msg_id);
-- Every delivery row is updated twice (claim, record): vacuum the queue table early.
ALTER TABLE deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

CREATE TABLE attempts (
  id                    text COLLATE "C" PRIMARY KEY,
  app_id                text COLLATE "C" NOT NULL,
  msg_id                text COLLATE "C" NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  endpoint_id           text COLLATE "C" NOT NULL,
  delivery_id           text COLLATE "C" NOT NULL,
  url                   text NOT NULL,
  status                text NOT NULL,
  response_status_code  integer NOT NULL,
  response              text NOT NULL,
  response_duration_ms  integer NOT NULL,
  error_class           text,
  trigger               text NOT NULL,
  created_at            timestamptz NOT NULL
);
CREATE INDEX attempts_msg ON attempts (msg_id, id);
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, id);

CREATE TABLE idempotency_keys (
  key           text COLLATE "C" PRIMARY KEY,
  request_hash  text NOT NULL,
  status_code   integer,
  body          text,
  expires_at    timestamptz NOT NULL
);

CREATE TABLE settings (
  name   text COLLATE "C" PRIMARY KEY,
  value  text NOT NULL
);

-- The same id format as core/ids.ts (prefix, 6 bytes of epoch ms, 10 random
-- bytes, base62 at width 22), so deliveries can be created in the same
-- statement as their message, one per matching endpoint, in one round trip.
CREATE FUNCTION hookline_new_id(prefix text, ms bigint) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  alphabet constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  rnd bytea := uuid_send(gen_random_uuid());
  n numeric := ms;
  out text := '';
  i integer;
BEGIN
  FOR i IN 6..15 LOOP
    n := n * 256 + get_byte(rnd, i);
  END LOOP;
  WHILE n > 0 LOOP
    out := substr(alphabet, (n % 62)::integer + 1, 1) || out;
    n := trunc(n / 62);
  END LOOP;
  RETURN prefix || '_' || lpad(out, 22, '0');
END
$$;
