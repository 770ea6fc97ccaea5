-- deliveries_open and deliveries_sending serve only the gated claim (gated.ts),
-- and the open deliveries of a gated endpoint are exactly its parked ones
-- (migration 005 keeps `parked` in step with the endpoint). Restricting both
-- indexes to parked rows spares every plain delivery three index writes: one
-- at accept, one at claim and up to two when its attempt is recorded.
DROP INDEX deliveries_open;
DROP INDEX deliveries_sending;
CREATE INDEX deliveries_open ON deliveries (endpoint_id, msg_id)
  WHERE status IN ('pending', 'sending') AND parked = 1;
CREATE INDEX deliveries_sending ON deliveries (endpoint_id) WHERE status = 'sending' AND parked = 1;
