import {
  failingEndpoints,
  type EndpointPolicy,
  type Health,
  type HealthPlan,
  planHealth,
  type Recorded,
} from '../policy.js';
import type { Db } from './db.js';
import type { SqliteOperational } from './operational.js';

interface HealthRow {
  consecutive_failures: number;
  failing_since: number | null;
  breaker_opens: number;
  breaker_retry_at: number | null;
  breaker_open: number;
  disabled: number;
}

/**
 * Moves endpoint health on after a batch of attempts (store/policy.ts), in the
 * recording transaction. An endpoint with only successes costs one UPDATE
 * that matches nothing while it is healthy; failures read and write its state.
 */
export function sqliteHealth(db: Db, ops: SqliteOperational) {
  const reset = db.prepare(
    `UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0, breaker_retry_at = NULL
     WHERE endpoint_id = ? AND (consecutive_failures > 0 OR failing_since IS NOT NULL OR breaker_opens > 0)`,
  );
  const close = db.prepare('UPDATE endpoints SET breaker_open = 0 WHERE id = ? AND breaker_open = 1');
  const read = db.prepare<[string], HealthRow>(
    `SELECT s.consecutive_failures, s.failing_since, s.breaker_opens, s.breaker_retry_at, e.breaker_open, e.disabled
     FROM endpoint_state s JOIN endpoints e ON e.id = s.endpoint_id WHERE s.endpoint_id = ?`,
  );
  const write = db.prepare(
    `UPDATE endpoint_state SET consecutive_failures = ?, failing_since = ?, breaker_opens = ?, breaker_retry_at = ?
     WHERE endpoint_id = ?`,
  );
  const setBreaker = db.prepare('UPDATE endpoints SET breaker_open = ? WHERE id = ? AND breaker_open <> ?');
  const disable = db.prepare(
    'UPDATE endpoints SET disabled = 1, disabled_reason = ?, updated_at = ? WHERE id = ? AND disabled = 0',
  );

  /** Returns how many operational deliveries were queued. */
  return (recorded: readonly Recorded[], policy: EndpointPolicy, now: number): number => {
    const current = new Map<string, Health & { disabled: boolean }>();
    for (const id of failingEndpoints(recorded)) {
      const r = read.get(id);
      if (!r) continue;
      current.set(id, {
        consecutiveFailures: r.consecutive_failures,
        failingSince: r.failing_since,
        breakerOpen: r.breaker_open === 1,
        breakerOpens: r.breaker_opens,
        breakerRetryAt: r.breaker_retry_at,
        disabled: r.disabled === 1,
      });
    }
    const plan: HealthPlan = planHealth(recorded, current, policy, now);
    for (const id of plan.succeeded) if (reset.run(id).changes > 0) close.run(id);
    for (const [id, c] of plan.changes) {
      const h = c.next;
      write.run(h.consecutiveFailures, h.failingSince, h.breakerOpens, h.breakerRetryAt, id);
      const open = h.breakerOpen ? 1 : 0;
      setBreaker.run(open, id, open);
      if (c.disable !== null) disable.run(c.disable, now, id);
    }
    return ops.emitHealth(plan, now);
  };
}
