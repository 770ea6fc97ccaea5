-- Turns across applications (its pair: 015_app_turns.pg.sql; README, Isolation).
--
-- The plain claim walks deliveries_due oldest first, so one tenant's fan-out
-- (thousands of endpoints, none over its share, none capped) queued ahead of
-- every other tenant's message. This index holds the same rows per
-- application: the claim finds the next applications with due work by a skip
-- scan (one seek per application) and takes each one's oldest due deliveries
-- in turn (sqlite/app-turns.ts).
CREATE INDEX deliveries_app_due ON deliveries (app_id, due_at) WHERE due_at IS NOT NULL AND parked = 0;
