-- One queue model on both backends (its pair: 007_one_queue_model.pg.sql).
--
-- due_at is when a worker may claim a delivery next: its next attempt while
-- pending, its lease expiry while sending, NULL when it is finished or its
-- endpoint is disabled. One partial index on it serves both "due" and "lease
-- expired", so a claim is one ordered range scan and no separate reclaim step
-- is needed. next_attempt_at keeps the schedule while due_at is NULL.
--
-- parked means "the endpoint is gated" (a rate limit, an in-flight cap,
-- ordering, an open breaker) and nothing else: those deliveries leave the
-- plain due index and are claimed per endpoint (the gated claim). A disabled
-- endpoint's deliveries are taken out by due_at instead.
--
-- Two triggers keep both flags in step with the endpoint, for every writer
-- (API updates, the worker's breaker and 410/auto-disable).
ALTER TABLE deliveries ADD COLUMN due_at INTEGER;
UPDATE deliveries SET due_at = CASE
  WHEN status = 'sending' THEN lease_until
  WHEN status = 'pending' AND NOT (SELECT disabled FROM endpoints e WHERE e.id = deliveries.endpoint_id)
    THEN next_attempt_at
  END;

DROP TRIGGER endpoints_parking;
DROP INDEX deliveries_due;
DROP INDEX deliveries_leased;
DROP INDEX deliveries_open;
DROP INDEX deliveries_sending;
ALTER TABLE deliveries DROP COLUMN lease_until;

UPDATE deliveries SET parked = (
  SELECT e.breaker_open = 1 OR e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.ordered = 1
  FROM endpoints e WHERE e.id = deliveries.endpoint_id)
WHERE status IN ('pending', 'sending');

CREATE INDEX deliveries_due ON deliveries (due_at) WHERE due_at IS NOT NULL AND parked = 0;
-- The idle worker's wake-up time (nextDueAt) covers parked rows too.
CREATE INDEX deliveries_parked_due ON deliveries (due_at) WHERE due_at IS NOT NULL AND parked = 1;
-- Per gated endpoint: its open deliveries in accept order and its leased ones. The open
-- deliveries of a gated endpoint are exactly its parked ones, so plain deliveries pay no
-- index writes for these.
CREATE INDEX deliveries_open ON deliveries (endpoint_id, msg_id)
  WHERE status IN ('pending', 'sending') AND parked = 1;
CREATE INDEX deliveries_sending ON deliveries (endpoint_id) WHERE status = 'sending' AND parked = 1;

CREATE TRIGGER endpoints_parking AFTER UPDATE OF breaker_open, rate_limit, max_in_flight, ordered ON endpoints
WHEN (OLD.breaker_open = 1 OR OLD.rate_limit IS NOT NULL OR OLD.max_in_flight IS NOT NULL OR OLD.ordered = 1)
  IS NOT (NEW.breaker_open = 1 OR NEW.rate_limit IS NOT NULL OR NEW.max_in_flight IS NOT NULL OR NEW.ordered = 1)
BEGIN
  UPDATE deliveries SET parked = (NEW.breaker_open = 1 OR NEW.rate_limit IS NOT NULL
                                  OR NEW.max_in_flight IS NOT NULL OR NEW.ordered = 1)
  WHERE endpoint_id = NEW.id AND status IN ('pending', 'sending');
END;

-- Disabling takes the endpoint's pending deliveries out of the queue (their
-- schedule is kept in next_attempt_at); enabling makes them due again.
CREATE TRIGGER endpoints_disabling AFTER UPDATE OF disabled ON endpoints
WHEN OLD.disabled IS NOT NEW.disabled
BEGIN
  UPDATE deliveries SET due_at = CASE WHEN NEW.disabled = 1 THEN NULL ELSE next_attempt_at END
  WHERE endpoint_id = NEW.id AND status = 'pending';
END;
