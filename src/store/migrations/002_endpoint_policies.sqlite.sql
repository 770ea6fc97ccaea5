-- Endpoint protection (store/policy.ts). An endpoint is "gated" when the claim
-- must count for it: a rate limit, an in-flight cap, ordering, or an open
-- breaker. breaker_open lives on the endpoint row because the claim already
-- reads that row for `disabled`; everything else changes per batch and lives
-- in endpoint_state, so the endpoints row is written only on transitions.
ALTER TABLE endpoints ADD COLUMN breaker_open INTEGER NOT NULL DEFAULT 0;
CREATE INDEX endpoints_gated ON endpoints (id)
  WHERE breaker_open = 1 OR rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR ordered = 1;

CREATE TABLE endpoint_state (
  endpoint_id           TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  -- first failure since the last success; NULL while healthy
  failing_since         INTEGER,
  -- failed probes in a row since the breaker opened (backoff doubles per probe)
  breaker_opens         INTEGER NOT NULL DEFAULT 0,
  breaker_retry_at      INTEGER,
  -- rate limit: GCRA theoretical arrival time of the next send
  rate_tat              INTEGER
);
INSERT INTO endpoint_state (endpoint_id) SELECT id FROM endpoints;
CREATE TRIGGER endpoints_state AFTER INSERT ON endpoints
BEGIN
  INSERT INTO endpoint_state (endpoint_id) VALUES (NEW.id);
END;

-- Per gated endpoint: its open deliveries in accept order (ordered head, due
-- rows to claim) and its leased ones (in-flight count). Partial, so finished
-- history is never scanned.
CREATE INDEX deliveries_open ON deliveries (endpoint_id, msg_id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_sending ON deliveries (endpoint_id) WHERE status = 'sending';
