-- Fair sharing of worker slots (its pair: 012_fair_share.sqlite.sql; README, Isolation).
--
-- fair_cap is an in-flight cap that the worker sets on an endpoint that tried
-- to take more than its share of slots (a slow or dead receiver with a
-- backlog, a flood from one tenant), lowered while the endpoint is slow, and
-- cleared once its backlog is gone. While it is set the endpoint is gated
-- like one with max_in_flight: its open deliveries are parked, out of the
-- plain due index, so its backlog never queues ahead of other endpoints.
ALTER TABLE endpoints ADD COLUMN fair_cap integer;

DROP INDEX endpoints_gated;
CREATE INDEX endpoints_gated ON endpoints (id)
  WHERE breaker_open OR rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR ordered OR fair_cap IS NOT NULL;

CREATE OR REPLACE FUNCTION hookline_endpoint_parking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET parked = (NEW.breaker_open OR NEW.rate_limit IS NOT NULL
                                  OR NEW.max_in_flight IS NOT NULL OR NEW.ordered OR NEW.fair_cap IS NOT NULL)
  WHERE endpoint_id = NEW.id AND status IN ('pending', 'sending');
  RETURN NULL;
END
$$;
DROP TRIGGER endpoints_parking ON endpoints;
CREATE TRIGGER endpoints_parking AFTER UPDATE OF breaker_open, rate_limit, max_in_flight, ordered, fair_cap ON endpoints
  FOR EACH ROW
  WHEN ((OLD.breaker_open OR OLD.rate_limit IS NOT NULL OR OLD.max_in_flight IS NOT NULL OR OLD.ordered
         OR OLD.fair_cap IS NOT NULL)
        IS DISTINCT FROM
        (NEW.breaker_open OR NEW.rate_limit IS NOT NULL OR NEW.max_in_flight IS NOT NULL OR NEW.ordered
         OR NEW.fair_cap IS NOT NULL))
  EXECUTE FUNCTION hookline_endpoint_parking();
