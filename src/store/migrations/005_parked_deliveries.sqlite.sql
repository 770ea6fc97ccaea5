-- Deliveries of disabled or gated endpoints (rate limit, in-flight cap, ordered,
-- open breaker) are "parked": left out of the due index that the plain claim
-- walks, so a large backlog behind one such endpoint costs the others nothing.
-- The gated claim finds them per endpoint (deliveries_open).
ALTER TABLE deliveries ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET parked = 1
WHERE status IN ('pending', 'sending') AND endpoint_id IN (
  SELECT id FROM endpoints
  WHERE disabled = 1 OR breaker_open = 1 OR rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR ordered = 1);

DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending' AND parked = 0;

-- An endpoint that becomes (or stops being) disabled or gated moves its open deliveries.
CREATE TRIGGER endpoints_parking AFTER UPDATE OF disabled, breaker_open, rate_limit, max_in_flight, ordered ON endpoints
WHEN OLD.disabled IS NOT NEW.disabled OR OLD.breaker_open IS NOT NEW.breaker_open
  OR OLD.rate_limit IS NOT NEW.rate_limit OR OLD.max_in_flight IS NOT NEW.max_in_flight
  OR OLD.ordered IS NOT NEW.ordered
BEGIN
  UPDATE deliveries
  SET parked = (NEW.disabled = 1 OR NEW.breaker_open = 1 OR NEW.rate_limit IS NOT NULL
                OR NEW.max_in_flight IS NOT NULL OR NEW.ordered = 1)
  WHERE endpoint_id = NEW.id AND status IN ('pending', 'sending');
END;
