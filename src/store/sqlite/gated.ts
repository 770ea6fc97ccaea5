import { advanceTat, claimQuota } from '../policy.js';
import type { Db } from './db.js';

interface GateRow {
  id: string;
  rate_limit: number | null;
  max_in_flight: number | null;
  ordered: number;
  breaker_open: number;
  rate_tat: number | null;
  breaker_retry_at: number | null;
  in_flight: number;
}

/** The endpoints the fast claim leaves out; the same expression as the endpoints_gated index. */
export const GATED = 'breaker_open = 1 OR rate_limit IS NOT NULL OR max_in_flight IS NOT NULL OR ordered = 1';
/** Whether an endpoint's deliveries are parked (see migration 005): disabled or gated. */
export const PARKED_OF_ENDPOINT = `(SELECT disabled = 1 OR ${GATED} FROM endpoints WHERE id = ?)`;
const GATED_E =
  'e.breaker_open = 1 OR e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.ordered = 1';

/**
 * Picks the due deliveries of gated endpoints (rate limit, in-flight cap,
 * ordered, open breaker) that may be leased now, at most `limit`, and moves
 * their rate limiters on. Runs inside the claim transaction, after expired
 * leases were reclaimed, so `sending` rows are exactly the leased ones: SQLite
 * serialises writers, so the counts cannot race another claim. Costs one
 * indexed query when no endpoint is gated. A gated endpoint's open deliveries
 * are all parked (migration 005), and the indexes these queries walk hold only
 * parked rows (migration 006): hence `parked = 1` in each.
 */
export function sqliteGatedClaim(db: Db): (now: number, limit: number) => string[] {
  const gates = db.prepare<[number], GateRow>(
    `SELECT e.id, e.rate_limit, e.max_in_flight, e.ordered, e.breaker_open, s.rate_tat, s.breaker_retry_at,
       (SELECT COUNT(*) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'sending' AND d.parked = 1) AS in_flight
     FROM endpoints e LEFT JOIN endpoint_state s ON s.endpoint_id = e.id
     WHERE (${GATED_E}) AND e.disabled = 0
       AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND d.parked = 1
                   AND d.status IN ('pending', 'sending') AND d.status = 'pending' AND d.next_attempt_at <= ?)
     ORDER BY s.rate_tat`,
  );
  // Accept order (msg ids are time-ordered), so a rate-limited backlog drains oldest first.
  const due = db.prepare<[string, number, number], { id: string }>(
    `SELECT id FROM deliveries
     WHERE endpoint_id = ? AND parked = 1 AND status IN ('pending', 'sending') AND status = 'pending'
       AND next_attempt_at <= ?
     ORDER BY msg_id LIMIT ?`,
  );
  // An ordered endpoint sends only its first open delivery, and only once it is due.
  const head = db.prepare<[string], { id: string; status: string; next_attempt_at: number | null }>(
    `SELECT id, status, next_attempt_at FROM deliveries
     WHERE endpoint_id = ? AND parked = 1 AND status IN ('pending', 'sending') ORDER BY msg_id LIMIT 1`,
  );
  const setTat = db.prepare('UPDATE endpoint_state SET rate_tat = ? WHERE endpoint_id = ?');

  return (now, limit) => {
    const ids: string[] = [];
    for (const g of gates.all(now)) {
      if (ids.length >= limit) break;
      const quota = claimQuota(
        {
          rateLimit: g.rate_limit,
          maxInFlight: g.max_in_flight,
          ordered: g.ordered === 1,
          breakerOpen: g.breaker_open === 1,
          rateTat: g.rate_tat,
          breakerRetryAt: g.breaker_retry_at,
          inFlight: g.in_flight,
        },
        now,
      );
      const take = Math.min(quota, limit - ids.length);
      if (take <= 0) continue;
      let picked: string[];
      if (g.ordered === 1) {
        const h = head.get(g.id);
        picked =
          h && h.status === 'pending' && h.next_attempt_at !== null && h.next_attempt_at <= now ? [h.id] : [];
      } else {
        picked = due.all(g.id, now, take).map((r) => r.id);
      }
      if (picked.length === 0) continue;
      if (g.rate_limit !== null) setTat.run(advanceTat(g.rate_limit, g.rate_tat, now, picked.length), g.id);
      ids.push(...picked);
    }
    return ids;
  };
}
