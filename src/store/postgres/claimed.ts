/**
 * The end of both claims (queue.ts, gated.ts): each delivery of the CTE
 * `leased` (with `was_due`, its due time before the lease) and the message
 * and endpoint fields a worker needs (rows.ts ClaimRow), oldest due first.
 */
export const claimed = (extraColumns = '') => `
SELECT ${extraColumns} l.id, l.attempts, l.trigger, m.id AS msg_id, m.app_id, m.event_type, m.payload,
  m.created_at AS msg_created_at, m.traceparent, e.id AS endpoint_id, e.url, e.headers, e.secrets,
  e.rate_limit, e.max_in_flight, e.fair_cap, e.ordered
FROM leased l JOIN messages m ON m.id = l.msg_id JOIN endpoints e ON e.id = l.endpoint_id
ORDER BY l.was_due, l.msg_id`;
export const CLAIMED = claimed();
