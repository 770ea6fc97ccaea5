-- App-portal access tokens (its pair: 009_app_portal_tokens.sqlite.sql).
--
-- A token is known only by the SHA-256 of its text (core/portal-token.ts),
-- like the API token: a stolen database opens no portal. Each is scoped to
-- one application (gone with it) and a set of capabilities. expires_at is
-- lowered, never raised, by logout and expire-all; the rows of expired tokens
-- are dropped when the next token of their application is made.
CREATE TABLE app_portal_tokens (
  token_hash     text COLLATE "C" PRIMARY KEY,
  app_id         text COLLATE "C" NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  capabilities   json NOT NULL,
  feature_flags  json NOT NULL,
  session_id     text,
  created_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX app_portal_tokens_app ON app_portal_tokens (app_id, expires_at);
