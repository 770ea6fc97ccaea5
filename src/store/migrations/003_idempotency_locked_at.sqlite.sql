-- When the current claim on a key was taken (epoch ms). An unfinished claim
-- older than the lock timeout belongs to a crashed request and may be taken
-- over (sqlite/idempotency.ts). Claims unfinished at upgrade time start their
-- clock now, so they are freed one lock timeout after the migration.
ALTER TABLE idempotency_keys ADD COLUMN locked_at INTEGER;
UPDATE idempotency_keys
SET locked_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE status_code IS NULL;
