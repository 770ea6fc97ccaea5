-- Deliveries of gated endpoints (rate limit, in-flight cap, ordered, open
-- breaker) are "parked": left out of the due index that the plain claim walks,
-- so a large backlog behind one such endpoint costs the others nothing. The
-- gated claim finds them per endpoint (deliveries_open). Disabled endpoints
-- stay parked as before, by due_at NULL; parked follows the gating fields only.
ALTER TABLE deliveries ADD COLUMN parked boolean NOT NULL DEFAULT false;
UPDATE deliveries d SET parked = true
FROM endpoints e
WHERE e.id = d.endpoint_id AND d.status IN ('pending', 'sending')
  AND (e.breaker_open OR e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.ordered);

DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL AND NOT parked;
-- The idle worker's wake-up time (nextDueAt) covers parked rows too.
CREATE INDEX deliveries_parked_due ON deliveries (due_at) WHERE due_at IS NOT NULL AND parked;

-- An endpoint that becomes (or stops being) gated moves its open deliveries.
-- Every INSERT INTO deliveries reads its endpoint's gating FOR SHARE: an
-- endpoint UPDATE waits for inserts in flight, so the UPDATE below sees and
-- fixes them, and an insert waits for an endpoint UPDATE in flight, then reads
-- the new row version. (FOR KEY SHARE, as the foreign key check takes, would
-- not conflict with the UPDATE and could store a stale flag.)
CREATE FUNCTION hookline_endpoint_parking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET parked = (NEW.breaker_open OR NEW.rate_limit IS NOT NULL
                                  OR NEW.max_in_flight IS NOT NULL OR NEW.ordered)
  WHERE endpoint_id = NEW.id AND status IN ('pending', 'sending');
  RETURN NULL;
END
$$;
CREATE TRIGGER endpoints_parking AFTER UPDATE OF breaker_open, rate_limit, max_in_flight, ordered ON endpoints
  FOR EACH ROW
  WHEN ((OLD.breaker_open OR OLD.rate_limit IS NOT NULL OR OLD.max_in_flight IS NOT NULL OR OLD.ordered)
        IS DISTINCT FROM
        (NEW.breaker_open OR NEW.rate_limit IS NOT NULL OR NEW.max_in_flight IS NOT NULL OR NEW.ordered))
  EXECUTE FUNCTION hookline_endpoint_parking();
