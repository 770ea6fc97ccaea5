-- Traces and metrics (its pair: 011_trace_context.pg.sql).
--
-- traceparent is the W3C trace context of the API request that accepted the
-- message (`00-<trace id>-<span id>-<flags>`), so every attempt, in whatever
-- process claims it and however much later, is traced as that request's
-- child. NULL when tracing was off and the client sent none.
--
-- deliveries_failed lets /metrics count failed deliveries at every scrape
-- without reading the table; only failed rows pay for it.
ALTER TABLE messages ADD COLUMN traceparent TEXT;
CREATE INDEX deliveries_failed ON deliveries (endpoint_id) WHERE status = 'fail';
