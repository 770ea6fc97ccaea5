-- Background tasks in the database, expunged message content, event-type
-- schema validation (its pair: 008_tasks_and_expunge.sqlite.sql).
--
-- A task is owned by the process running it for as long as that process
-- renews lease_until; a running task whose lease lapsed was interrupted (its
-- process died) and is reported failed (src/api/tasks.ts). Any API process
-- reads any task.
CREATE TABLE background_tasks (
  id           text COLLATE "C" PRIMARY KEY,
  task         text NOT NULL,
  status       text NOT NULL,
  data         json NOT NULL DEFAULT '{}',
  lease_until  timestamptz,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX background_tasks_running ON background_tasks (lease_until) WHERE status = 'running';

-- Set when the payload was expunged (DELETE .../msg/{id}/content): the payload
-- column then holds Svix's {"expired":true} and the message can't be resent.
ALTER TABLE messages ADD COLUMN expunged_at timestamptz;

-- Hookline's opt-in: validate message payloads against the type's JSON Schema.
ALTER TABLE event_types ADD COLUMN validate_schema boolean NOT NULL DEFAULT false;
