import { randomUUID } from 'node:crypto';
import { newId } from '../../core/ids.js';
import { DEFAULT_POLICY, type Recorded } from '../policy.js';
import type { ClaimedDelivery, DeliveryQueue } from '../store.js';
import { type Db, toDate } from './db.js';
import { parseSecrets } from './endpoints.js';
import { sqliteGatedClaim } from './gated.js';
import { sqliteHealth } from './health.js';
import { sqliteOperational } from './operational.js';
import { sqliteQueueManual } from './queue-manual.js';

interface ClaimRow {
  id: string;
  attempts: number;
  trigger: 'scheduled' | 'manual';
  msg_id: string;
  app_id: string;
  event_type: string;
  payload: string;
  msg_created_at: number;
  endpoint_id: string;
  url: string;
  headers: string;
  secrets: string;
  rate_limit: number | null;
  max_in_flight: number | null;
  ordered: number;
}

/**
 * The delivery queue on SQLite. Per batch of claims: two statements (reclaim
 * expired leases, lease due rows) plus one read of what to send, and one
 * indexed query for gated endpoints (gated.ts; more only when some have due
 * work); per batch of results: one insert and one update per attempt, and one
 * health statement per endpoint (health.ts), inside a single transaction.
 */
export function sqliteQueue(db: Db): DeliveryQueue {
  // A lease that ran out belongs to a worker that died or stalled: due again at once.
  const reclaimExpired = db.prepare(
    `UPDATE deliveries SET status = 'pending', lease_until = NULL, lease_token = NULL
     WHERE status = 'sending' AND lease_until <= ?`,
  );
  const lease = db.prepare<[number, string, number, number, number], { id: string }>(
    `UPDATE deliveries SET status = 'sending', lease_until = ?, lease_token = ?, updated_at = ?
     WHERE id IN (
       SELECT id FROM deliveries
       WHERE status = 'pending' AND parked = 0 AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ?)
     RETURNING id`,
  );
  const leaseIds = db.prepare<[number, string, number, string], { id: string }>(
    `UPDATE deliveries SET status = 'sending', lease_until = ?, lease_token = ?, updated_at = ?
     WHERE id IN (SELECT value FROM json_each(?)) RETURNING id`,
  );
  const gated = sqliteGatedClaim(db);
  const ops = sqliteOperational(db);
  const health = sqliteHealth(db, ops);
  const details = db.prepare<[string], ClaimRow>(
    `SELECT d.id, d.attempts, d.trigger, m.id AS msg_id, m.app_id, m.event_type, m.payload,
            m.created_at AS msg_created_at, e.id AS endpoint_id, e.url, e.headers, e.secrets, e.rate_limit,
            e.max_in_flight, e.ordered
     FROM deliveries d
     JOIN messages m ON m.id = d.msg_id
     JOIN endpoints e ON e.id = d.endpoint_id
     WHERE d.id IN (SELECT value FROM json_each(?))
     ORDER BY d.next_attempt_at`,
  );
  const claim = db.transaction((now: number, leaseMs: number, limit: number) => {
    reclaimExpired.run(now);
    const token = randomUUID();
    // Gated endpoints first: their quotas bound them, and the rest of the batch is the plain queue.
    const picked = gated(now, limit);
    const ids = picked.length
      ? leaseIds.all(now + leaseMs, token, now, JSON.stringify(picked)).map((r) => r.id)
      : [];
    if (ids.length < limit)
      ids.push(...lease.all(now + leaseMs, token, now, now, limit - ids.length).map((r) => r.id));
    return { token, rows: ids.length ? details.all(JSON.stringify(ids)) : [] };
  });

  // A message deleted (with its app) or pruned while its delivery was in flight
  // has nothing to attach the attempt to. Without the guard the foreign key
  // would fail the whole batch, and the recorder would retry it forever while
  // the worker, waiting on the recorder, claims nothing more.
  const insertAttempt = db.prepare(
    `INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code, response,
       response_duration_ms, error_class, trigger, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
     WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?)`,
  );
  const finish = db.prepare(
    `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,
       lease_token = NULL, trigger = 'scheduled', updated_at = ?
     WHERE id = ? AND lease_token = ?`,
  );
  const record = db.transaction(
    (results: Parameters<DeliveryQueue['recordAttempts']>[0], policy = DEFAULT_POLICY) => {
      const now = Date.now();
      const recorded: Recorded[] = [];
      for (const r of results) {
        const a = r.attempt;
        const attemptId = newId('atmpt', a.createdAt.getTime());
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
          a.msgId,
        );
        const o = r.outcome;
        const status = o.kind === 'success' ? 'success' : o.kind === 'retry' ? 'pending' : 'fail';
        const moved = finish.run(
          status,
          o.kind === 'retry' ? o.at.getTime() : null,
          now,
          r.deliveryId,
          r.leaseToken,
        );
        recorded.push({ result: r, attemptId, moved: moved.changes > 0 });
      }
      health(recorded, policy, now);
    },
  );

  const renew = db.prepare('UPDATE deliveries SET lease_until = ? WHERE id = ? AND lease_token = ?');
  const manual = sqliteQueueManual(db);

  return {
    async claimDue({ limit, leaseMs, now = new Date() }) {
      const { token, rows } = claim.immediate(now.getTime(), leaseMs, limit);
      return rows.map(
        (r): ClaimedDelivery => ({
          deliveryId: r.id,
          leaseToken: token,
          attempts: r.attempts,
          trigger: r.trigger,
          message: {
            id: r.msg_id,
            appId: r.app_id,
            eventType: r.event_type,
            payload: r.payload,
            createdAt: toDate(r.msg_created_at),
          },
          endpoint: {
            id: r.endpoint_id,
            url: r.url,
            headers: JSON.parse(r.headers),
            secrets: parseSecrets(r.secrets),
            rateLimit: r.rate_limit,
            maxInFlight: r.max_in_flight,
            ordered: r.ordered === 1,
          },
        }),
      );
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
      if (results.length > 0) record.immediate(results, policy);
    },
    ...manual,
  };
}
