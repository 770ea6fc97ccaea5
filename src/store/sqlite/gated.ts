import { advanceTat, claimQuota } from '../../core/policy.js';
import { type GateRow, toGate } from '../rows.js';
import { BOUND_LIMIT, type Db } from './db.js';

/**
 * Whether an endpoint is gated: the claim must count for it (a rate limit, an
 * in-flight cap, ordering, an open breaker, a fair-share cap). Its open deliveries are parked
 * (007_one_queue_model). The same expression as the endpoints_gated index.
 */
export const GATED =
  'e.breaker_open = 1 OR e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.ordered = 1 OR e.fair_cap IS NOT NULL';
/** `parked` for a new or reopened delivery of the endpoint whose id is the parameter `endpoint` (`?` or `$name`). */
export const gatedOf = (endpoint: string) => `(SELECT ${GATED} FROM endpoints e WHERE e.id = ${endpoint})`;

/**
 * What the plain claim may take of a due row: not parked (a gated endpoint's), and not of a
 * disabled endpoint (an expired lease or a recorded retry keeps its due_at). queue.ts and
 * app-turns.ts share it, so the oldest-first part and the applications' turns never disagree.
 */
export const PLAIN = 'd.parked = 0 AND NOT (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id)';

/** A gated endpoint's open deliveries: exactly its parked ones, the rows deliveries_open holds. */
const OPEN = "d.parked = 1 AND d.status IN ('pending', 'sending')";

/**
 * Gated endpoints with due work, with their live leases counted (an expired
 * lease is due again, not in flight). Oldest rate limiter first.
 */
const GATES = `
SELECT e.id, e.rate_limit, e.max_in_flight, e.fair_cap, e.ordered, e.breaker_open, s.rate_tat, s.breaker_retry_at,
  (SELECT COUNT(*) FROM deliveries d
   WHERE d.endpoint_id = e.id AND d.parked = 1 AND d.status = 'sending' AND d.due_at > ?) AS in_flight
FROM endpoints e JOIN endpoint_state s ON s.endpoint_id = e.id
WHERE (${GATED}) AND e.disabled = 0
  AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${OPEN} AND d.due_at <= ?)
ORDER BY s.rate_tat`;

/** Due deliveries of one endpoint in accept order (msg ids are time-ordered), so a backlog drains oldest first. */
const DUE = `
SELECT d.id FROM deliveries d
WHERE d.endpoint_id = ? AND ${OPEN} AND d.due_at <= ?
ORDER BY d.msg_id ${BOUND_LIMIT}`;

/** An ordered endpoint's first open delivery: the only one it may be sent, once it is due. */
const HEAD = `
SELECT d.id, d.due_at FROM deliveries d
WHERE d.endpoint_id = ? AND ${OPEN}
ORDER BY d.msg_id LIMIT 1`;

const SET_TAT = 'UPDATE endpoint_state SET rate_tat = ? WHERE endpoint_id = ?';

/**
 * Picks the due deliveries of gated endpoints that may be leased now, at most
 * `limit`, and moves their rate limiters on (core/policy.ts decides the
 * quotas). Runs inside the claim transaction; SQLite serialises writers, so
 * the counts cannot race another claim. Costs one indexed query when no
 * endpoint is gated.
 *
 * Made once per claim (`now`): the claim's passes (within the caps, then
 * lending to `borrowers`) share one read of the gates, kept up to date with
 * what each pass took; nothing else in the claim adds due work to a gated
 * endpoint. Reading them again for lending counted a capped endpoint's
 * deliveries in flight a second time on most claims of a busy worker.
 *
 * `borrowers` (store.ts FairTerms): only these endpoints, fair-capped, and their
 * fair cap does not count; every other limit does.
 */
export function sqliteGatedClaim(
  db: Db,
): (now: number) => (limit: number, borrowers?: ReadonlySet<string>) => string[] {
  const gates = db.prepare<[number, number], GateRow & { in_flight: number }>(GATES);
  const due = db.prepare<[string, number, number], { id: string }>(DUE);
  const head = db.prepare<[string], { id: string; due_at: number | null }>(HEAD);
  const setTat = db.prepare(SET_TAT);

  return (now) => {
    let read: (GateRow & { in_flight: number })[] | null = null;
    return (limit, borrowers) => {
      const ids: string[] = [];
      if (limit <= 0) return ids;
      read ??= gates.all(now, now);
      for (const g of read) {
        if (ids.length >= limit) break;
        if (borrowers && (g.fair_cap === null || !borrowers.has(g.id))) continue;
        const gate = { ...toGate(g, g.in_flight), ...(borrowers && { fairCap: null }) };
        const take = Math.min(claimQuota(gate, now), limit - ids.length);
        if (take <= 0) continue;
        let picked: string[];
        if (gate.ordered) {
          const h = head.get(g.id);
          picked = h && h.due_at !== null && h.due_at <= now ? [h.id] : [];
        } else {
          picked = due.all(g.id, now, take).map((r) => r.id);
        }
        if (picked.length === 0) continue;
        if (gate.rateLimit !== null) {
          g.rate_tat = advanceTat(gate.rateLimit, gate.rateTat, now, picked.length);
          setTat.run(g.rate_tat, g.id);
        }
        g.in_flight += picked.length;
        ids.push(...picked);
      }
      return ids;
    };
  };
}
