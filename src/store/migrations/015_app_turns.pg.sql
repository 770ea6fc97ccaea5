-- Turns across applications (its pair: 015_app_turns.sqlite.sql; README, Isolation).
--
-- The plain claim walks deliveries_due oldest first, so one tenant's fan-out
-- (thousands of endpoints, none over its share, none capped) queued ahead of
-- every other tenant's message. This index holds the same rows per
-- application: the claim finds the next applications with due work by a skip
-- scan (one index probe per application) and takes each one's oldest due
-- deliveries in turn (postgres/queue.ts).
CREATE INDEX deliveries_app_due ON deliveries (app_id, due_at) WHERE due_at IS NOT NULL AND NOT parked;
