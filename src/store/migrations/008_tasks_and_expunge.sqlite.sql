-- Background tasks in the database, expunged message content, event-type
-- schema validation (its pair: 008_tasks_and_expunge.pg.sql).
--
-- A task is owned by the process running it for as long as that process
-- renews lease_until; a running task whose lease lapsed was interrupted (its
-- process died) and is reported failed (src/api/tasks.ts). Any API process
-- reads any task.
CREATE TABLE background_tasks (
  id           TEXT PRIMARY KEY,
  task         TEXT NOT NULL,
  status       TEXT NOT NULL,
  data         TEXT NOT NULL DEFAULT '{}',
  lease_until  INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX background_tasks_running ON background_tasks (lease_until) WHERE status = 'running';

-- Set when the payload was expunged (DELETE .../msg/{id}/content): the payload
-- column then holds Svix's {"expired":true} and the message can't be resent.
ALTER TABLE messages ADD COLUMN expunged_at INTEGER;

-- Hookline's opt-in: validate message payloads against the type's JSON Schema.
ALTER TABLE event_types ADD COLUMN validate_schema INTEGER NOT NULL DEFAULT 0;
