-- The dashboard's one-time sign-in (its pair: 013_operator_sessions.pg.sql).
--
-- `hookline dashboard` gets a sign-in code that the page trades once, within
-- a minute, for an operator session token (core/operator-session.ts). Both
-- are known only by the SHA-256 of their text, like the API token. A code's
-- row is deleted when it is used, so a used code and an unknown one read
-- alike; expired rows of both tables are dropped when the next code is made.
CREATE TABLE operator_sign_in_codes (
  code_hash   TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE TABLE operator_sessions (
  token_hash  TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX operator_sign_in_codes_expiry ON operator_sign_in_codes (expires_at);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
