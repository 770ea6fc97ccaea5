import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { ClaimedDelivery, DeliveryQueue } from '../store.js';
import { type Db, toDate } from './db.js';
import { parseSecrets } from './endpoints.js';
import { type DeliveryRow, toDelivery } from './messages.js';

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
 * expired leases, lease due rows) plus one read of what to send; per batch of
 * results: one insert and one update per attempt inside a single transaction.
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
       WHERE status = 'pending' AND next_attempt_at <= ?
         AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)
       ORDER BY next_attempt_at LIMIT ?)
     RETURNING id`,
  );
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
    const ids = lease.all(now + leaseMs, token, now, now, limit).map((r) => r.id);
    return { token, rows: ids.length ? details.all(JSON.stringify(ids)) : [] };
  });

  const insertAttempt = db.prepare(
    `INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code, response,
       response_duration_ms, error_class, trigger, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const finish = db.prepare(
    `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,
       lease_token = NULL, trigger = 'scheduled', updated_at = ?
     WHERE id = ? AND lease_token = ?`,
  );
  const disable = db.prepare(
    'UPDATE endpoints SET disabled = 1, disabled_reason = ?, updated_at = ? WHERE id = ?',
  );
  const record = db.transaction((results: Parameters<DeliveryQueue['recordAttempts']>[0]) => {
    const now = Date.now();
    for (const r of results) {
      const a = r.attempt;
      insertAttempt.run(
        newId('atmpt', a.createdAt.getTime()),
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
      const o = r.outcome;
      const status = o.kind === 'success' ? 'success' : o.kind === 'retry' ? 'pending' : 'fail';
      finish.run(status, o.kind === 'retry' ? o.at.getTime() : null, now, r.deliveryId, r.leaseToken);
      if (r.disableEndpoint) disable.run(r.disableEndpoint, now, a.endpointId);
    }
  });

  const renew = db.prepare('UPDATE deliveries SET lease_until = ? WHERE id = ? AND lease_token = ?');
  const deliveryFor = db.prepare<[string, string, string], DeliveryRow>(
    'SELECT * FROM deliveries WHERE app_id = ? AND msg_id = ? AND endpoint_id = ?',
  );

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
    async recordAttempts(results) {
      if (results.length > 0) record.immediate(results);
    },
    async resend(appId, msgId, endpointId) {
      const now = Date.now();
      return db
        .transaction(() => {
          if (!db.prepare('SELECT 1 FROM messages WHERE app_id = ? AND id = ?').get(appId, msgId))
            throw notFound('message');
          if (!db.prepare('SELECT 1 FROM endpoints WHERE app_id = ? AND id = ?').get(appId, endpointId)) {
            throw notFound('endpoint');
          }
          const existing = deliveryFor.get(appId, msgId, endpointId);
          if (existing?.status === 'sending')
            throw conflict('this message is being sent to this endpoint right now');
          if (existing) {
            db.prepare(
              `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, trigger = 'manual', updated_at = ? WHERE id = ?`,
            ).run(now, now, existing.id);
          } else {
            db.prepare(
              `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, trigger, created_at, updated_at)
               VALUES (?, ?, ?, ?, 'pending', 0, ?, 'manual', ?, ?)`,
            ).run(newId('dlv', now), appId, msgId, endpointId, now, now, now);
          }
          return toDelivery(deliveryFor.get(appId, msgId, endpointId)!);
        })
        .immediate();
    },
    async recover(appId, endpointId, since, until) {
      const now = Date.now();
      return db
        .prepare(
          `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, trigger = 'manual', updated_at = ?
           WHERE app_id = ? AND endpoint_id = ? AND status = 'fail' AND created_at >= ? AND created_at < ?`,
        )
        .run(now, now, appId, endpointId, since.getTime(), until?.getTime() ?? Number.MAX_SAFE_INTEGER)
        .changes;
    },
    async nextDueAt() {
      const row = db
        .prepare<[], { due: number | null }>(
          `SELECT MIN(due) AS due FROM (
             SELECT MIN(next_attempt_at) AS due FROM deliveries
             WHERE status = 'pending' AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)
             UNION ALL
             SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')`,
        )
        .get();
      return row?.due == null ? null : new Date(row.due);
    },
  };
}
