-- Endpoint protection (store/policy.ts). An endpoint is "gated" when the claim
-- must count for it: a rate limit, an in-flight cap, ordering, or an open
-- breaker. The plain claim already looks up each candidate's endpoint row for
-- `disabled`; it now skips gated endpoints in that same lookup, so endpoints
-- without limits pay nothing more. breaker_open lives on the endpoint row for
-- that reason; per-batch state lives in endpoint_state, whose row the gated
-- claim locks so that concurrent workers in any process count the same.
ALTER TABLE endpoints ADD COLUMN breaker_open boolean NOT NULL DEFAULT false;
CREATE INDEX endpoints_gated ON endpoints (id)
  WHERE breaker_open OR rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR ordered;

CREATE TABLE endpoint_state (
  endpoint_id           text COLLATE "C" PRIMARY KEY REFERENCES endpoints (id) ON DELETE CASCADE,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  -- first failure since the last success; NULL while healthy
  failing_since         timestamptz,
  -- failed probes in a row since the breaker opened (backoff doubles per probe)
  breaker_opens         integer NOT NULL DEFAULT 0,
  breaker_retry_at      timestamptz,
  -- rate limit: GCRA theoretical arrival time of the next send
  rate_tat              timestamptz
);
INSERT INTO endpoint_state (endpoint_id) SELECT id FROM endpoints;

CREATE FUNCTION hookline_endpoint_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO endpoint_state (endpoint_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER endpoints_state AFTER INSERT ON endpoints
  FOR EACH ROW EXECUTE FUNCTION hookline_endpoint_state();

-- Per gated endpoint: its open deliveries in accept order (ordered head, due
-- rows to claim) and its leased ones (in-flight count). Partial, so finished
-- history is never scanned.
CREATE INDEX deliveries_open ON deliveries (endpoint_id, msg_id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_sending ON deliveries (endpoint_id) WHERE status = 'sending';
