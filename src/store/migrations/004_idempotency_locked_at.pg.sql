-- When the current claim on a key was taken. An unfinished claim older than
-- the lock timeout belongs to a crashed request and may be taken over
-- (postgres/idempotency.ts). The default stamps rows that exist at upgrade
-- time, and claims still made by not-yet-upgraded processes during a rolling
-- deploy, with the time they were seen, so none is freed early.
ALTER TABLE idempotency_keys ADD COLUMN locked_at timestamptz NOT NULL DEFAULT now();
