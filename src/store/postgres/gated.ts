import { claimQuota } from '../../core/policy.js';
import { type GateRow, toGate } from '../rows.js';
import { CLAIMED } from './claimed.js';
import type { Db } from './db.js';

/** The endpoints the plain claim leaves to this one (same expression as the endpoints_gated index). */
export const GATED =
  'e.breaker_open OR e.rate_limit IS NOT NULL OR e.max_in_flight IS NOT NULL OR e.ordered OR e.fair_cap IS NOT NULL';
/**
 * Endpoint `e` may be lent idle slots beyond its fair-share cap: the cap is its
 * one rule (no rate limit, in-flight cap, ordering or open breaker), so the
 * plain claim may lease its deliveries for borrowers (queue.ts, store.ts FairTerms).
 */
export const LENDABLE = `e.fair_cap IS NOT NULL AND NOT e.disabled
  AND e.max_in_flight IS NULL AND e.rate_limit IS NULL AND NOT e.ordered AND NOT e.breaker_open`;
/** Endpoint `e` is among the borrowers ($n, a text array) the gated claim leaves to the plain claim's lending. */
const leftToLending = (n: number) => `(e.id = ANY ($${n}::text[]) AND ${LENDABLE})`;
/** A gated endpoint's open deliveries: exactly its parked ones, the rows deliveries_open holds. */
export const OPEN = "d.parked AND d.status IN ('pending', 'sending')";
/**
 * A gated endpoint's open deliveries due by `at`, for a walk of deliveries_open
 * (endpoint_id, msg_id) in accept order that stops at its LIMIT. Written so
 * the planner cannot prove `due_at IS NOT NULL` (coalesce; the same rows
 * pass): that is the predicate of deliveries_parked_due, and with statistics
 * taken before a backlog arrived the planner judged parked due rows rare and
 * walked that index instead, reading every parked due row of every endpoint
 * and sorting them by msg_id: 8,929 rows, 9.8 ms of a 10.4 ms claim with a
 * 10,000-message backlog (auto_explain during bench:growth).
 */
export const dueOpen = (at: string) => `${OPEN} AND coalesce(d.due_at, 'infinity') <= ${at}`;

/**
 * Gated endpoints that may have something to give now ($1). Endpoints that
 * plainly have nothing to give are left out: an open breaker before its retry
 * time; an ordered endpoint or breaker probe with one in flight, or a full
 * in-flight cap; a rate limiter more than its burst (at most 250 ms,
 * policy.ts) ahead. Looser than claimQuota, which still decides; it keeps a
 * crowd of blocked endpoints from filling every page. `OFFSET 0` keeps the
 * EXISTS a per-endpoint look at its oldest open rows: the planner otherwise
 * turns it into a join and hashes every open row of every gated endpoint
 * (3.2 ms with 10,000 waiting at one, 0.05-0.09 ms as a look), and this runs
 * before every gated claim.
 */
const MAY_GIVE = `
(${GATED}) AND NOT e.disabled
  AND NOT (e.breaker_open AND s.breaker_retry_at > $1)
  AND (e.rate_limit IS NULL OR s.rate_tat IS NULL OR s.rate_tat <= $1 + interval '251 milliseconds')
  AND (NOT (e.ordered OR e.breaker_open) AND coalesce(e.max_in_flight, e.fair_cap) IS NULL
       OR (SELECT count(*) FROM deliveries f
           WHERE f.endpoint_id = e.id AND f.parked AND f.status = 'sending' AND f.due_at > $1)
          < CASE WHEN e.ordered OR e.breaker_open THEN 1 ELSE coalesce(e.max_in_flight, e.fair_cap) END)
  AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${dueOpen('$1')} OFFSET 0)`;

/**
 * A page of gated endpoints that may give, their state rows locked, leaving
 * out those already considered in this claim ($3). SKIP LOCKED: an endpoint
 * another worker is claiming for right now is simply its to serve.
 */
const LOCK_GATED = `
SELECT e.id, e.rate_limit, e.max_in_flight, e.fair_cap, e.ordered, e.breaker_open, s.rate_tat, s.breaker_retry_at
FROM endpoints e JOIN endpoint_state s ON s.endpoint_id = e.id
WHERE ${MAY_GIVE} AND e.id <> ALL ($3::text[]) AND NOT ${leftToLending(4)}
ORDER BY s.rate_tat NULLS FIRST
LIMIT $2
FOR UPDATE OF s SKIP LOCKED`;

/**
 * Whether any endpoint is gated, and whether any may give, asked without a
 * transaction or a lock: most claims of a busy queue find every gated
 * endpoint at its cap or waiting on its breaker, and one statement saying so
 * costs a third of BEGIN, LOCK_GATED, COMMIT.
 */
export const ANY_GATED = `
SELECT EXISTS (SELECT 1 FROM endpoints e WHERE (${GATED}) AND NOT e.disabled AND NOT ${leftToLending(2)}) AS gated,
  EXISTS (SELECT 1 FROM endpoints e JOIN endpoint_state s ON s.endpoint_id = e.id
          WHERE ${MAY_GIVE} AND NOT ${leftToLending(2)}) AS may_give`;

/**
 * Read in a second statement, hence a snapshot taken after the locks: a claim
 * another worker committed before we got the lock is counted.
 */
const LIVE = `
SELECT c.id,
  (SELECT count(*) FROM deliveries d
   WHERE d.endpoint_id = c.id AND d.parked AND d.status = 'sending' AND d.due_at > $2)::int AS in_flight,
  h.id AS head_id
FROM unnest($1::text[]) AS c(id)
LEFT JOIN LATERAL (
  SELECT d.id FROM deliveries d WHERE d.endpoint_id = c.id AND ${OPEN} ORDER BY d.msg_id LIMIT 1
) h ON true`;

/**
 * Leases up to `quota` due deliveries per endpoint in accept order (for an
 * ordered endpoint only its head), moves the rate limiters on by what was
 * taken, and returns what the worker needs, like the plain claim.
 */
export const CLAIM_GATED = `
WITH q AS (
  SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[]) AS q(endpoint_id, quota, head_id, rate)
), picked AS (
  SELECT p.id, p.endpoint_id, p.due_at FROM q CROSS JOIN LATERAL (
    SELECT d.id, d.endpoint_id, d.due_at FROM deliveries d
    WHERE d.endpoint_id = q.endpoint_id AND ${dueOpen('$5')}
      AND (q.head_id IS NULL OR d.id = q.head_id)
    ORDER BY d.msg_id LIMIT q.quota
    FOR UPDATE SKIP LOCKED
  ) p
), tat AS (
  UPDATE endpoint_state s
  SET rate_tat = greatest(coalesce(s.rate_tat, $5), $5) + make_interval(secs => n.sent::float8 / q.rate)
  FROM (SELECT endpoint_id, count(*) AS sent FROM picked GROUP BY endpoint_id) n
  JOIN q ON q.endpoint_id = n.endpoint_id
  WHERE s.endpoint_id = n.endpoint_id AND q.rate IS NOT NULL
), leased AS (
  UPDATE deliveries d SET status = 'sending', due_at = $6, lease_token = $7, updated_at = $5
  FROM picked WHERE d.id = picked.id
  RETURNING d.id, d.attempts, d.trigger, d.msg_id, d.endpoint_id, picked.due_at AS was_due
)
${CLAIMED}`;

/** Gated endpoints read per page of a claim (oldest rate_tat first)... */
const MAX_GATED_PER_CLAIM = 256;
/** ...and pages per claim: a bound on one claim's locks and time when many endpoints have little to give. */
const MAX_GATED_PAGES = 8;
/** How long "no gated endpoint exists" (beyond those left out) is trusted before asking again. */
const RECHECK_MS = 1000;

/**
 * The claim for gated endpoints: one transaction (per page of 256 endpoints:
 * lock state rows, count live leases; then one lease statement), only when
 * ANY_GATED says some endpoint may give.
 * Endpoints without limits never reach it; a deployment without any gated
 * endpoint (or with none but the borrowers the plain claim lends to, left out
 * by queue.ts) pays one tiny query per second to notice the first, or at once
 * after `recheck()` (this process recorded failures: a breaker may have
 * opened; or capped an endpoint).
 */
export function postgresGatedClaim(db: Db) {
  // No gated endpoint exists but those in `beyond` (none at all when empty), trusted until `until`.
  let none = { until: 0, beyond: [] as readonly string[] };

  /** Whether a gated claim may find anything (beyond the endpoints `leftOut`), without a transaction. */
  async function mayGive(now: Date, leftOut: readonly string[]): Promise<boolean> {
    if (now.getTime() < none.until && none.beyond.every((id) => leftOut.includes(id))) return false;
    // Not prepared, like the claims (queue.ts): a generic plan of the in-flight count goes stale.
    const [row] = await db.query<{ gated: boolean; may_give: boolean }>(ANY_GATED, [now, leftOut]);
    if (!row?.gated) none = { until: now.getTime() + RECHECK_MS, beyond: leftOut };
    return row?.may_give === true;
  }

  /**
   * Leases gated endpoints' deliveries within their quotas, but none of the
   * endpoints `leftOut` that the plain claim may lend to (LENDABLE): one of
   * them with an open breaker or a limit of its own is still served here.
   */
  async function claim<R>(
    now: Date,
    limit: number,
    leaseUntil: Date,
    token: string,
    leftOut: readonly string[] = [],
  ): Promise<R[]> {
    if (limit <= 0 || !(await mayGive(now, leftOut))) return [];
    return db.tx(async (q) => {
      const ids: string[] = [];
      const quotas: number[] = [];
      const heads: (string | null)[] = [];
      const rates: (number | null)[] = [];
      let left = limit;
      const seen: string[] = [];
      // Page on while the batch has room: endpoints with nothing to give (a full
      // in-flight cap, an ordered head out) must not hide the ones behind them.
      while (left > 0) {
        const gates = await q<GateRow>(LOCK_GATED, [now, MAX_GATED_PER_CLAIM, seen, leftOut]);
        if (gates.length === 0) break;
        seen.push(...gates.map((g) => g.id));
        const live = await q<{ id: string; in_flight: number; head_id: string | null }>(LIVE, [
          gates.map((g) => g.id),
          now,
        ]);
        const liveOf = new Map(live.map((l) => [l.id, l]));
        for (const g of gates) {
          const l = liveOf.get(g.id);
          if (!l || left <= 0) continue;
          const gate = toGate(g, l.in_flight);
          const take = Math.min(claimQuota(gate, now.getTime()), left);
          if (take <= 0 || (gate.ordered && l.head_id === null)) continue;
          ids.push(g.id);
          quotas.push(take);
          heads.push(gate.ordered ? l.head_id : null);
          rates.push(g.rate_limit);
          left -= take;
        }
        if (gates.length < MAX_GATED_PER_CLAIM || seen.length >= MAX_GATED_PAGES * MAX_GATED_PER_CLAIM) break;
      }
      if (ids.length === 0) return [];
      return q<R>(CLAIM_GATED, [ids, quotas, heads, rates, now, leaseUntil, token]);
    });
  }
  return {
    claim,
    recheck() {
      none = { until: 0, beyond: [] };
    },
  };
}
