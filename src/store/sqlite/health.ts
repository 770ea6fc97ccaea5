import {
  type EndpointPolicy,
  failingEndpoints,
  type Health,
  type HealthNews,
  planHealth,
  type Recorded,
} from '../../core/policy.js';
import { type HealthRow, toHealth } from '../rows.js';
import type { Db } from './db.js';
import type { sqliteOperational } from './operational.js';

/** Endpoints with only successes end any failure run; a no-op (no write) while healthy. */
const HEAL = `
UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0, breaker_retry_at = NULL
WHERE endpoint_id = ? AND (consecutive_failures > 0 OR failing_since IS NOT NULL OR breaker_opens > 0)`;
const CLOSE_BREAKER = 'UPDATE endpoints SET breaker_open = 0 WHERE id = ? AND breaker_open = 1';
const READ_HEALTH = `
SELECT s.consecutive_failures, s.failing_since, s.breaker_opens, s.breaker_retry_at, e.breaker_open, e.disabled
FROM endpoint_state s JOIN endpoints e ON e.id = s.endpoint_id WHERE s.endpoint_id = ?`;
const WRITE_HEALTH = `
UPDATE endpoint_state SET consecutive_failures = ?, failing_since = ?, breaker_opens = ?, breaker_retry_at = ?
WHERE endpoint_id = ?`;
/** Opening or closing the breaker parks or unparks the endpoint's deliveries (trigger, 007). */
const SET_BREAKER = 'UPDATE endpoints SET breaker_open = ? WHERE id = ? AND breaker_open <> ?';
/** A 410 or auto-disable; the trigger takes its pending deliveries out of the queue, as a user's disable does. */
const DISABLE =
  'UPDATE endpoints SET disabled = 1, disabled_reason = ?, updated_at = ? WHERE id = ? AND disabled = 0';

/**
 * Moves endpoint health on after a batch of attempts (core/policy.ts), in the
 * recording transaction. An endpoint with only successes costs one UPDATE
 * that matches nothing while it is healthy; failures read and write its state.
 * Returns how many operational deliveries were queued, and the log's news.
 */
export function sqliteHealth(db: Db, ops: ReturnType<typeof sqliteOperational>) {
  const heal = db.prepare(HEAL);
  const close = db.prepare(CLOSE_BREAKER);
  const read = db.prepare<[string], HealthRow>(READ_HEALTH);
  const write = db.prepare(WRITE_HEALTH);
  const setBreaker = db.prepare(SET_BREAKER);
  const disable = db.prepare(DISABLE);

  return (
    recorded: readonly Recorded[],
    policy: EndpointPolicy,
    now: number,
  ): { queued: number; news: HealthNews } => {
    const current = new Map<string, Health & { disabled: boolean }>();
    for (const id of failingEndpoints(recorded)) {
      const r = read.get(id);
      if (r) current.set(id, toHealth(r));
    }
    const plan = planHealth(recorded, current, policy, now);
    for (const id of plan.succeeded) {
      if (heal.run(id).changes > 0 && close.run(id).changes > 0) plan.news.breakerClosed.push(id);
    }
    for (const [id, c] of plan.changes) {
      const h = c.next;
      write.run(h.consecutiveFailures, h.failingSince, h.breakerOpens, h.breakerRetryAt, id);
      const open = h.breakerOpen ? 1 : 0;
      setBreaker.run(open, id, open);
      if (c.disable !== null) disable.run(c.disable, now, id);
    }
    return { queued: ops.emitHealth(plan, now), news: plan.news };
  };
}
