import { conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryQueue } from '../store.js';
import type { Db } from './db.js';
import { PARKED_OF_ENDPOINT } from './gated.js';
import { type DeliveryRow, toDelivery } from './messages.js';

/** Operator actions on the queue (resend, recover, skip) and the idle worker's wake-up time. */
export function sqliteQueueManual(
  db: Db,
): Pick<DeliveryQueue, 'resend' | 'recover' | 'cancel' | 'nextDueAt'> {
  const deliveryFor = db.prepare<[string, string, string], DeliveryRow>(
    'SELECT * FROM deliveries WHERE app_id = ? AND msg_id = ? AND endpoint_id = ?',
  );
  return {
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
              // A delivery still being retried keeps its trigger: the attempt comes forward, the
              // schedule goes on. A finished one gets one manual attempt (outcome.ts).
              `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?,
                 trigger = CASE WHEN status = 'pending' THEN trigger ELSE 'manual' END,
                 parked = ${PARKED_OF_ENDPOINT} WHERE id = ?`,
            ).run(now, now, endpointId, existing.id);
          } else {
            db.prepare(
              `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, trigger, created_at, updated_at, parked)
               VALUES (?, ?, ?, ?, 'pending', 0, ?, 'manual', ?, ?, ${PARKED_OF_ENDPOINT})`,
            ).run(newId('dlv', now), appId, msgId, endpointId, now, now, now, endpointId);
          }
          return toDelivery(deliveryFor.get(appId, msgId, endpointId)!);
        })
        .immediate();
    },
    async recover(appId, endpointId, since, until) {
      const now = Date.now();
      return db
        .prepare(
          `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, trigger = 'manual', updated_at = ?,
             parked = ${PARKED_OF_ENDPOINT}
           WHERE app_id = ? AND endpoint_id = ? AND status = 'fail' AND created_at >= ? AND created_at < ?`,
        )
        .run(
          now,
          now,
          endpointId,
          appId,
          endpointId,
          since.getTime(),
          until?.getTime() ?? Number.MAX_SAFE_INTEGER,
        ).changes;
    },
    async cancel(appId, msgId, endpointId) {
      return db
        .transaction(() => {
          const existing = deliveryFor.get(appId, msgId, endpointId);
          if (!existing) throw notFound('delivery of this message to this endpoint');
          if (existing.status !== 'pending') {
            throw conflict(`the delivery is ${existing.status}; only a pending delivery can be skipped`);
          }
          db.prepare(
            `UPDATE deliveries SET status = 'canceled', next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
          ).run(Date.now(), existing.id);
          return toDelivery(deliveryFor.get(appId, msgId, endpointId)!);
        })
        .immediate();
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
