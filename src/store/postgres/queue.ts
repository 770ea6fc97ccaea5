import { randomUUID } from 'node:crypto';
import { newId } from '../../core/ids.js';
import { appTurns } from '../app-turns.js';
import { failingEndpoints, hasFailures, noHealthNews } from '../../core/policy.js';
import { postgresDialect } from '../dialect.js';
import { type ExhaustedRow, exhaustedEndpointsStatement, toExhausted } from '../exhausted.js';
import { type ClaimRow, type FieldCipher, readClaims, toClaim } from '../rows.js';
import type { AttemptResult, DeliveryQueue } from '../store.js';
import { CLAIMED, claimed } from './claimed.js';
import type { Db } from './db.js';
import { dueOpen, GATED, LENDABLE, postgresGatedClaim } from './gated.js';
import { postgresFairShare } from './fair-share.js';
import { applyHealth, lockHealth } from './health.js';
import type { DueNotifier } from './notify.js';
import { queueManual } from './queue-manual.js';

/**
 * Parked rows (gated endpoints) are in neither due index; the lookups still skip disabled and
 * gated endpoints (an expired lease or a recorded retry keeps its due_at). A scalar subquery,
 * not NOT EXISTS: the planner turns NOT EXISTS into an anti join, misjudges it, and then reads
 * and sorts every due row before the LIMIT (6 ms per claim with 10,000 waiting); as a per-row
 * filter the index walk stops after LIMIT rows.
 */
const PLAIN = `NOT d.parked AND NOT (SELECT e.disabled OR ${GATED} FROM endpoints e WHERE e.id = d.endpoint_id)`;
/** A step of the skip scan: the next application after `after` with rows in deliveries_app_due. */
const nextApp = (after: string) =>
  `(SELECT d.app_id FROM deliveries d WHERE d.due_at IS NOT NULL AND NOT d.parked AND d.app_id > ${after}
    ORDER BY d.app_id LIMIT 1)`;

/**
 * The hot path: one statement per claimed batch, one per recorded batch, one
 * per renewal round. Deliveries of gated endpoints (rate limit, in-flight cap,
 * ordered, open breaker) are parked, outside the due index this claim walks
 * (007_one_queue_model), and claimed by gated.ts; batches with failures
 * add a health step (health.ts). Each is a single implicit transaction, so no
 * BEGIN/COMMIT round trips.
 *
 * Claim, record and renew are deliberately not prepared (no statement name): a
 * prepared statement soon runs a cached generic plan, and one made while the
 * queue was small (a new deployment, a burst) went on joining by sequential
 * scans of deliveries and messages, 8-22 ms per batch of 16, until the next
 * ANALYZE. Planned each time, they see the tables' current size; planning
 * costs less than the statement (measured: no difference on a warm table).
 *
 * Claim: while there is a backlog, first each application's turn
 * (../app-turns.ts): a skip scan of deliveries_app_due finds up to $8
 * applications after $7 with due work, one index probe each, and each gives
 * an even share of $2 from its oldest due rows; then the oldest due rows of
 * all (pending and due, or sending with an expired lease: both have
 * due_at <= now) fill the batch. Rows are locked with
 * SKIP LOCKED, so concurrent workers split the heads of the queues instead of
 * queueing behind each other, leased (status sending, due_at = lease expiry,
 * a fresh token) and returned with the message and endpoint fields the worker
 * needs, and (with turns) with the page's size and last application, where
 * the next claim's page starts.
 *
 * Borrowing (store.ts FairTerms), in the same statement: what the plain queue
 * leaves of $6 (the batch less the gated claim's) goes to the named
 * endpoints beyond their fair-share caps, in accept order per endpoint. No
 * endpoint lock: a loan is bounded by the claiming worker's idle slots, not by
 * a count shared across workers. Only endpoints whose one rule is the fair cap
 * borrow; a rate limit or an open breaker still holds them back.
 */
/** While there is a backlog, the applications' turns come first ($7: the page starts after it, $8: its size). */
const TURNS = `
apps AS (
  SELECT 1 AS n, ${nextApp('$7')} AS app_id
  UNION ALL
  SELECT a.n + 1, ${nextApp('a.app_id')} FROM apps a WHERE a.app_id IS NOT NULL AND a.n < $8
), page AS (
  SELECT n, app_id FROM apps WHERE app_id IS NOT NULL
), turns AS (
  SELECT t.id, t.due_at FROM page CROSS JOIN LATERAL (
    SELECT d.id, d.due_at FROM deliveries d
    WHERE d.app_id = page.app_id AND d.due_at <= $1 AND ${PLAIN}
    ORDER BY d.due_at
    LIMIT ceil($2::float8 / (SELECT count(*) FROM page))::int
    FOR UPDATE SKIP LOCKED
  ) t
  LIMIT $2
),`;

/** The plain claim, with the turns or (turns = false) oldest first only. */
function claimDue(turns: boolean): string {
  const taken = turns ? '(SELECT count(*) FROM turns)' : '0';
  return `
WITH ${turns ? `RECURSIVE ${TURNS}` : ''} due AS (
  -- The outer LIMIT stops the walk (and the locking) at what the turns left; the inner one
  -- tells the planner how few rows come, or it plans the lease below as a join against a
  -- sequential scan of deliveries.
  SELECT h.id, h.due_at FROM (
    SELECT d.id, d.due_at FROM deliveries d
    WHERE d.due_at <= $1 AND ${PLAIN}
      -- our own locks do not make SKIP LOCKED skip the turns' rows: leave them out by id
      ${turns ? 'AND d.id <> ALL (ARRAY(SELECT id FROM turns))' : ''}
    ORDER BY d.due_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ) h
  LIMIT greatest(0, $2 - ${taken})
), borrowed AS (
  SELECT p.id, p.due_at FROM endpoints e CROSS JOIN LATERAL (
    SELECT d.id, d.due_at FROM deliveries d
    WHERE d.endpoint_id = e.id AND ${dueOpen('$1')}
    ORDER BY d.msg_id LIMIT $6
    FOR UPDATE SKIP LOCKED
  ) p
  WHERE e.id = ANY ($5::text[]) AND ${LENDABLE}
  LIMIT greatest(0, $6 - ${taken} - (SELECT count(*) FROM due))
), picked AS (
  ${turns ? 'SELECT id, due_at FROM turns UNION ALL' : ''}
  SELECT id, due_at FROM due UNION ALL SELECT id, due_at FROM borrowed
), leased AS (
  UPDATE deliveries d SET status = 'sending', due_at = $3, lease_token = $4, updated_at = $1
  FROM picked WHERE d.id = picked.id
  RETURNING d.id, d.attempts, d.trigger, d.msg_id, d.endpoint_id, picked.due_at AS was_due
)
${turns ? claimed('(SELECT count(*) FROM page)::int AS page_apps, (SELECT max(app_id) FROM page) AS page_last,') : CLAIMED}`;
}
const CLAIM_DUE = claimDue(false);
const CLAIM_DUE_TURNS = claimDue(true);

/**
 * Record: every attempt of the batch inserted and every delivery moved on in
 * one statement, the batch passed as one JSON array. A delivery only moves
 * when its lease token still matches (otherwise it belongs to a newer claim);
 * its attempt is stored either way; the moved ids come back. Endpoints that
 * only succeeded end their failure run here (a no-op, hence no write, while
 * healthy); failures, 410s and breakers are health.ts's, in the same transaction.
 */
const RECORD_ATTEMPTS = `
WITH r AS (
  SELECT * FROM json_to_recordset($1::json) AS r(
    delivery_id text, lease_token text, id text, app_id text, msg_id text, endpoint_id text, url text,
    status text, code integer, response text, duration integer, error_class text, trigger text,
    created_at timestamptz, next_status text, next_at timestamptz)
), a AS (
  INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code,
    response, response_duration_ms, error_class, trigger, created_at)
  SELECT id, app_id, msg_id, endpoint_id, delivery_id, url, status, code, response, duration, error_class,
    trigger, created_at
  FROM r
  -- a message pruned while its delivery was in flight has nothing to attach the attempt to.
  -- A scalar subquery, one primary-key probe per row: as EXISTS the planner may
  -- hash-join the batch against a sequential scan of every message.
  WHERE (SELECT true FROM messages m WHERE m.id = r.msg_id)
), u AS (
  -- A retry of an endpoint disabled while it was in flight waits without a due_at, like the
  -- endpoint's other pending deliveries, until it is enabled (trigger endpoints_disabling).
  UPDATE deliveries d SET status = r.next_status, attempts = d.attempts + 1, next_attempt_at = r.next_at,
    due_at = CASE WHEN (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id) THEN NULL ELSE r.next_at END,
    lease_token = NULL, trigger = 'scheduled', updated_at = $2
  FROM r WHERE d.id = r.delivery_id AND d.lease_token = r.lease_token
  RETURNING d.id
), ok AS (
  -- Endpoints with only successes in this batch end any failure run; health.ts handles the others.
  SELECT endpoint_id FROM r GROUP BY endpoint_id HAVING bool_and(status = 'success')
), healed AS (
  UPDATE endpoint_state s SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0,
    breaker_retry_at = NULL
  FROM (
    SELECT s2.endpoint_id FROM endpoint_state s2 JOIN ok ON ok.endpoint_id = s2.endpoint_id
    WHERE s2.consecutive_failures > 0 OR s2.failing_since IS NOT NULL OR s2.breaker_opens > 0
    ORDER BY s2.endpoint_id FOR UPDATE OF s2
  ) h
  WHERE s.endpoint_id = h.endpoint_id
  RETURNING s.endpoint_id
), closed AS (
  UPDATE endpoints e SET breaker_open = false FROM healed WHERE e.id = healed.endpoint_id AND e.breaker_open
  RETURNING e.id
)
-- The deliveries moved, then the breakers closed (for the log).
SELECT id, false AS closed FROM u UNION ALL SELECT id, true FROM closed`;

/** CLAIM_DUE_TURNS' page of applications, on every row. */
interface PageRow {
  page_apps: number;
  page_last: string | null;
}

/** RECORD_ATTEMPTS' rows: a delivery moved on, or (closed) an endpoint whose breaker a success closed. */
interface RecordedRow {
  id: string;
  closed: boolean;
}

const RENEW_LEASES = `
UPDATE deliveries d SET due_at = $3
FROM unnest($1::text[], $2::text[]) AS c(id, token)
WHERE d.id = c.id AND d.lease_token = c.token AND d.status = 'sending'
RETURNING d.id`;

/** PostgreSQL text cannot hold NUL; a receiver's binary answer must not make the whole batch fail. */
const stripNul = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text);

function recordRow(r: AttemptResult) {
  const a = r.attempt;
  const o = r.outcome;
  return {
    delivery_id: r.deliveryId,
    lease_token: r.leaseToken,
    id: newId('atmpt', a.createdAt.getTime()),
    app_id: a.appId,
    msg_id: a.msgId,
    endpoint_id: a.endpointId,
    url: stripNul(a.url),
    status: a.status,
    code: a.responseStatusCode,
    response: stripNul(a.response),
    duration: a.responseDurationMs,
    error_class: a.errorClass,
    trigger: a.trigger,
    created_at: a.createdAt.toISOString(),
    next_status: o.kind === 'success' ? 'success' : o.kind === 'retry' ? 'pending' : 'fail',
    next_at: o.kind === 'retry' ? o.at.toISOString() : null,
  };
}

export function postgresQueue(
  db: Db,
  notifier: DueNotifier,
  cipher: FieldCipher = null,
): Omit<DeliveryQueue, 'replayMissing'> {
  const claimGated = postgresGatedClaim(db);
  const turns = appTurns();
  // Whether the last plain claim came back short of its limit: the plain queue leaves room.
  let plainLeftRoom = false;
  return {
    async claimDue({ limit, leaseMs, now = new Date(), fair }) {
      const keepFree = fair?.keepFree ?? 0;
      const borrowers = fair?.borrowers ?? [];
      if (limit <= 0) return [];
      const token = randomUUID();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      // Gated endpoints first, within what they may take: their quotas bound them, the rest of
      // the batch is the plain queue. While the plain queue leaves room, the borrowers are left
      // to the plain statement, which lends them all of it (more than their quota): a lone fast
      // capped endpoint then costs one statement per claim, not the gated claim's check and
      // transaction, six round trips (bench:peers on PostgreSQL, p99 at 500/s). Once the plain
      // queue fills a claim, the next one serves their quota first again.
      const leftOut = plainLeftRoom ? borrowers : [];
      const gated = await claimGated.claim<ClaimRow>(now, limit - keepFree, leaseUntil, token, leftOut);
      if (gated.length >= limit) return readClaims(gated, toClaim(cipher, token));
      // Then the plain queue and, beyond it, what nobody else wanted, lent past
      // fair-share caps (store.ts FairTerms): one statement.
      const room = borrowers.length > 0 ? limit - gated.length : 0;
      let rows: ClaimRow[];
      try {
        const plainLimit = limit - gated.length;
        const page = turns.page(plainLimit);
        const params = [now, plainLimit, leaseUntil, token, borrowers, room];
        const plain = page
          ? await db.query<ClaimRow & PageRow>(CLAIM_DUE_TURNS, [...params, page.after, page.size])
          : await db.query<ClaimRow>(CLAIM_DUE, params);
        // Borrowed rows count too: they come only when the plain queue fell short of the room
        // ($6 <= $2), so at worst a claim that ran dry takes turns next time for nothing.
        const first = plain[0] as Partial<PageRow> | undefined;
        turns.claimed(plainLimit, plain.length, page, first?.page_apps, first?.page_last);
        const lent = new Set(borrowers);
        plainLeftRoom = plain.filter((r) => !lent.has(r.endpoint_id)).length < plainLimit;
        rows = gated.concat(plain);
      } catch (err) {
        // What was leased is committed: hand it over with the error rather than leave it (and
        // the quotas it holds: an ordered head, a breaker's probe) idle until the lease runs out.
        if (gated.length === 0) throw err;
        return readClaims(gated, toClaim(cipher, token), err); // throws PartialClaimError
      }
      return readClaims(rows, toClaim(cipher, token));
    },
    async renewLeases(claims, leaseMs) {
      if (claims.length === 0) return [];
      const rows = await db.query<{ id: string }>(RENEW_LEASES, [
        claims.map((c) => c.deliveryId),
        claims.map((c) => c.leaseToken),
        new Date(Date.now() + leaseMs),
      ]);
      const kept = new Set(rows.map((r) => r.id));
      return claims.filter((c) => !kept.has(c.deliveryId)).map((c) => c.deliveryId);
    },
    async recordAttempts(results, policy) {
      if (results.length === 0) return noHealthNews();
      const rows = results.map(recordRow);
      const now = new Date();
      if (!hasFailures(results)) {
        const recorded = await db.query<RecordedRow>(RECORD_ATTEMPTS, [JSON.stringify(rows), now]);
        return { ...noHealthNews(), breakerClosed: recorded.filter((r) => r.closed).map((r) => r.id) };
      }
      // A failure may open a breaker, disable an endpoint or raise operational events: one transaction.
      const { queued, news } = await db.tx(async (q) => {
        const recorded0 = results.map((result, i) => ({ result, attemptId: rows[i]!.id, moved: false }));
        // Every endpoint of the batch is locked first, in id order. RECORD_ATTEMPTS locks the
        // success-only ones again (healed); taken only there, after the failing ones, they
        // deadlocked with a worker recording the opposite batch ([fail A, ok B] vs [fail B, ok A]).
        const locked = await lockHealth(q, [...new Set(results.map((r) => r.attempt.endpointId))]);
        const failing = new Set(failingEndpoints(recorded0));
        const current = new Map([...locked].filter(([id]) => failing.has(id)));
        const written = await q<RecordedRow>(RECORD_ATTEMPTS, [JSON.stringify(rows), now]);
        const moved = new Set(written.filter((r) => !r.closed).map((r) => r.id));
        const recorded = recorded0.map((r) => ({ ...r, moved: moved.has(r.result.deliveryId) }));
        const applied = await applyHealth(q, recorded, current, policy, now);
        applied.news.breakerClosed.push(...written.filter((r) => r.closed).map((r) => r.id));
        return applied;
      });
      claimGated.recheck();
      if (queued > 0) notifier.poke();
      return news;
    },
    async exhaustedEndpoints(since, limit) {
      const q = exhaustedEndpointsStatement(postgresDialect, since, limit);
      return (await db.query<ExhaustedRow>(q.text, q.values)).map(toExhausted);
    },
    ...queueManual(db, notifier),
    ...postgresFairShare(db, notifier, () => claimGated.recheck()),
  };
}
