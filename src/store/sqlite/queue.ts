import { randomUUID } from 'node:crypto';
import { newId } from '../../core/ids.js';
import { appTurns } from '../app-turns.js';
import { noHealthNews, type Recorded } from '../../core/policy.js';
import { sqliteDialect } from '../dialect.js';
import { type ExhaustedRow, exhaustedEndpointsStatement, toExhausted } from '../exhausted.js';
import { type ClaimRow, type FieldCipher, readClaims, toClaim } from '../rows.js';
import type { DeliveryQueue, FairTerms } from '../store.js';
import { sqliteAppTurns } from './app-turns.js';
import { BOUND_LIMIT, type Db } from './db.js';
import { sqliteFairShare } from './fair-share.js';
import { PLAIN, sqliteGatedClaim } from './gated.js';
import { sqliteHealth } from './health.js';
import { sqliteOperational } from './operational.js';
import { sqliteQueueManual } from './queue-manual.js';

/**
 * Plain claim: the oldest due rows (pending and due, or sending with an
 * expired lease: both have due_at <= now) that are not parked, to be leased
 * (status sending, due_at = lease expiry, a fresh token). A disabled endpoint's
 * pending rows have no due_at; the lookup skips the few rows of one that
 * still have one (leased when it was disabled, or recorded for a retry since).
 * A SELECT, then LEASE_IDS only for what it found: an UPDATE that finds nothing
 * (every due row parked, as when the one busy endpoint is capped) still cost
 * 23 us a claim to set up.
 */
const PLAIN_DUE = `
SELECT d.id FROM deliveries d
WHERE d.due_at <= ? AND ${PLAIN}
ORDER BY d.due_at ${BOUND_LIMIT}`;
/**
 * Leases rows the same claim transaction just picked: they all still exist (one
 * connection, nothing runs in between), so the picked ids are the leased ones
 * and no RETURNING (a temporary trigger and table per statement) is needed.
 * OR FAIL: a lease changes many rows, and an UPDATE that could abort half way
 * (a NOT NULL column set from a parameter) makes SQLite copy every page it
 * touches to a statement journal first, to undo just that statement. A claim
 * is all or nothing anyway: its transaction is rolled back on any error.
 */
const LEASE_IDS = `
UPDATE OR FAIL deliveries SET status = 'sending', due_at = ?, lease_token = ?, updated_at = ?
WHERE id IN (SELECT value FROM json_each(?))`;
/** What a worker needs per leased delivery, in claimRow's order; a WHERE clause follows. */
const CLAIMED_COLUMNS = `
SELECT d.id, d.attempts, d.trigger, m.id AS msg_id, m.app_id, m.event_type, m.payload,
  m.created_at AS msg_created_at, m.traceparent, e.id AS endpoint_id, e.url, e.headers, e.secrets,
  e.rate_limit, e.max_in_flight, e.fair_cap, e.ordered
FROM deliveries d JOIN messages m ON m.id = d.msg_id JOIN endpoints e ON e.id = d.endpoint_id`;

/** A row of CLAIMED_COLUMNS, read as an array (in its order), as rows.ts ClaimRow. */
function claimRow(c: unknown[]): ClaimRow {
  return {
    id: c[0],
    attempts: c[1],
    trigger: c[2],
    msg_id: c[3],
    app_id: c[4],
    event_type: c[5],
    payload: c[6],
    msg_created_at: c[7],
    traceparent: c[8],
    endpoint_id: c[9],
    url: c[10],
    headers: c[11],
    secrets: c[12],
    rate_limit: c[13],
    max_in_flight: c[14],
    fair_cap: c[15],
    ordered: c[16],
  } as ClaimRow;
}

/**
 * Claimed rows matching `where`: read as arrays (better-sqlite3's raw mode) and
 * made ClaimRows by claimRow, because the driver setting 17 named properties on
 * each row cost a third of a claim's read back (4.9 -> 3.2 us a row).
 */
export function claimedRows<P extends unknown[]>(db: Db, where: string): (...params: P) => ClaimRow[] {
  const statement = db.prepare<P, unknown[]>(`${CLAIMED_COLUMNS} ${where}`).raw(true);
  return (...params) => statement.all(...params).map(claimRow);
}

/**
 * One row, VALUES: a message deleted (with its app) or pruned while its
 * delivery was in flight has nothing to attach the attempt to, and the foreign
 * key refuses just this statement (record() drops the attempt and carries on;
 * failing the whole batch would have the recorder retry it forever while the
 * worker, waiting on the recorder, claims nothing more). An INSERT ... SELECT
 * WHERE EXISTS guard cost 1.3-1.5 us more an attempt: SQLite keeps a statement
 * journal for an insert of many rows that may abort.
 */
const INSERT_ATTEMPT = `
INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code, response,
  response_duration_ms, error_class, trigger, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/**
 * Moves a delivery on, only while the lease is still ours. A retry is due
 * again at its time, unless its endpoint was disabled while it was in flight:
 * then, like the endpoint's other pending deliveries, it waits without a
 * due_at until the endpoint is enabled (trigger endpoints_disabling).
 */
const FINISH = `
UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
  due_at = CASE WHEN (SELECT e.disabled FROM endpoints e WHERE e.id = deliveries.endpoint_id) = 1 THEN NULL ELSE ? END,
  lease_token = NULL, trigger = 'scheduled', updated_at = ?
WHERE id = ? AND lease_token = ?`;
const RENEW = `UPDATE deliveries SET due_at = ? WHERE id = ? AND lease_token = ? AND status = 'sending'`;

/**
 * The delivery queue on SQLite. Per batch of claims: one indexed query for
 * gated endpoints (gated.ts; more only when some have due work), one lease
 * statement and one read of what to send; per batch of results: one insert
 * and one update per attempt, and health statements for endpoints with
 * failures (health.ts), inside a single transaction.
 */
export function sqliteQueue(db: Db, cipher: FieldCipher): Omit<DeliveryQueue, 'replayMissing'> {
  const plainDue = db.prepare<[number, number], string>(PLAIN_DUE).pluck();
  const leaseIds = db.prepare<[number, string, number, string]>(LEASE_IDS);
  const claimed = claimedRows<[string]>(
    db,
    'WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.msg_id',
  );
  const gated = sqliteGatedClaim(db);
  const takeTurns = sqliteAppTurns(db);
  const turns = appTurns();
  const health = sqliteHealth(db, sqliteOperational(db));
  const claim = db.transaction((now: number, leaseMs: number, limit: number, fair?: FairTerms) => {
    const keepFree = fair?.keepFree ?? 0;
    const token = randomUUID();
    const gatedPass = gated(now);
    const lease = (picked: string[]) => {
      if (picked.length) leaseIds.run(now + leaseMs, token, now, JSON.stringify(picked));
      return picked;
    };
    // Gated endpoints first, within what they may take: their quotas bound them, and the rest
    // of the batch is the plain queue.
    const ids = lease(gatedPass(limit - keepFree));
    // Then the plain queue: while there is a backlog, each application's turn (../app-turns.ts),
    // then the oldest due of all. Leased rows are due only when their lease runs out, so the
    // second query cannot take the turns' rows again.
    const plainLimit = limit - ids.length;
    if (plainLimit > 0) {
      const page = turns.page(plainLimit);
      const taken = page && takeTurns(now, plainLimit, page);
      const plain = lease(taken?.ids ?? []);
      if (plain.length < plainLimit) {
        plain.push(...lease(plainDue.all(now, plainLimit - plain.length)));
      }
      turns.claimed(plainLimit, plain.length, page, taken?.apps.length, taken?.apps.at(-1));
      ids.push(...plain);
    }
    // Then what nobody else wanted, lent beyond fair-share caps (store.ts FairTerms).
    const room = limit - ids.length;
    if (fair && room > 0 && fair.borrowers.length > 0) {
      ids.push(...lease(gatedPass(room, new Set(fair.borrowers))));
    }
    return { token, rows: ids.length ? claimed(JSON.stringify(ids)) : [] };
  });

  const insertAttempt = db.prepare(INSERT_ATTEMPT);
  const finish = db.prepare(FINISH);
  const record = db.transaction((results: Parameters<DeliveryQueue['recordAttempts']>[0], policy) => {
    const now = Date.now();
    const recorded: Recorded[] = [];
    for (const r of results) {
      const a = r.attempt;
      const attemptId = newId('atmpt', a.createdAt.getTime());
      try {
        insertAttempt.run(
          attemptId,
          a.appId,
          a.msgId,
          a.endpointId,
          r.deliveryId,
          a.url,
          a.status,
          a.responseStatusCode,
          a.response,
          a.responseDurationMs,
          a.errorClass,
          a.trigger,
          a.createdAt.getTime(),
        );
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
      }
      const o = r.outcome;
      const next = o.kind === 'retry' ? o.at.getTime() : null;
      const status = o.kind === 'success' ? 'success' : o.kind === 'retry' ? 'pending' : 'fail';
      const moved = finish.run(status, next, next, now, r.deliveryId, r.leaseToken).changes > 0;
      recorded.push({ result: r, attemptId, moved });
    }
    return health(recorded, policy, now).news;
  });

  const renew = db.prepare(RENEW);
  return {
    async claimDue({ limit, leaseMs, now = new Date(), fair }) {
      if (limit <= 0) return [];
      const { token, rows } = claim.immediate(now.getTime(), leaseMs, limit, fair);
      return readClaims(rows, toClaim(cipher, token));
    },
    async renewLeases(claims, leaseMs) {
      const until = Date.now() + leaseMs;
      const lost: string[] = [];
      db.transaction(() => {
        for (const c of claims)
          if (renew.run(until, c.deliveryId, c.leaseToken).changes === 0) lost.push(c.deliveryId);
      }).immediate();
      return lost;
    },
    async recordAttempts(results, policy) {
      return results.length > 0 ? record.immediate(results, policy) : noHealthNews();
    },
    async exhaustedEndpoints(since, limit) {
      const q = exhaustedEndpointsStatement(sqliteDialect, since, limit);
      return db
        .prepare<unknown[], ExhaustedRow>(q.text)
        .all(...q.values)
        .map(toExhausted);
    },
    ...sqliteQueueManual(db),
    ...sqliteFairShare(db),
  };
}
