import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { cancelRefusal, resendRefusal } from '../../core/transitions.js';
import { type DeliveryRow, toDelivery } from '../rows.js';
import type { DeliveryQueue } from '../store.js';
import type { Db } from './db.js';
import { gatedOf } from './gated.js';

const DELIVERY_FOR = 'SELECT * FROM deliveries WHERE app_id = ? AND msg_id = ? AND endpoint_id = ?';
/** due_at for a delivery made due now: none while its endpoint is disabled. */
const DUE_NOW =
  '(SELECT CASE WHEN e.disabled = 1 THEN NULL ELSE $now END FROM endpoints e WHERE e.id = $endpoint)';
/** parked for a delivery of a gated endpoint. */
const PARKED = gatedOf('$endpoint');
/**
 * Resend of an existing delivery. One still being retried keeps its trigger:
 * the attempt comes forward, the schedule goes on. A finished one gets one
 * manual attempt (delivery/outcome.ts).
 */
const RESEND_EXISTING = `
UPDATE deliveries SET status = 'pending', next_attempt_at = $now, due_at = ${DUE_NOW}, updated_at = $now,
  trigger = CASE WHEN status = 'pending' THEN trigger ELSE 'manual' END, parked = ${PARKED}
WHERE id = $id`;
/** Resend of a pair routing never made a delivery for. */
const RESEND_NEW = `
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked)
VALUES ($id, $app, $msg, $endpoint, 'pending', 0, $now, ${DUE_NOW}, 'manual', $now, $now, ${PARKED})`;
const RECOVER = `
UPDATE deliveries SET status = 'pending', next_attempt_at = $now, due_at = ${DUE_NOW}, trigger = 'manual',
  updated_at = $now, parked = ${PARKED}
WHERE app_id = $app AND endpoint_id = $endpoint AND status = 'fail' AND created_at >= $since AND created_at < $until
  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = deliveries.msg_id AND m.expunged_at IS NOT NULL)`;
/** An operator's resend is intent: an open breaker's next probe comes forward to now. */
const PROBE_NOW = `
UPDATE endpoint_state SET breaker_retry_at = $now
WHERE endpoint_id = $endpoint AND breaker_retry_at > $now
  AND (SELECT e.breaker_open FROM endpoints e WHERE e.id = $endpoint) = 1`;
/** A pending delivery with no due_at belongs to a disabled endpoint: it keeps waiting. */
const HURRY = `
UPDATE deliveries SET next_attempt_at = $now, due_at = $now, updated_at = $now
WHERE app_id = $app AND endpoint_id = $endpoint AND status = 'pending' AND due_at IS NOT NULL AND next_attempt_at > $now`;
const CANCEL = `UPDATE deliveries SET status = 'canceled', due_at = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?`;
/**
 * Lease expiries count too: a stalled delivery becomes claimable then. Both
 * partial indexes. A disabled endpoint's expired lease is not claimable, so
 * it is left out, or an idle worker would look again and again.
 */
const NEXT_DUE = `
SELECT MIN(due) AS due FROM (
  SELECT MIN(d.due_at) AS due FROM deliveries d
  WHERE d.due_at IS NOT NULL AND d.parked = 0 AND NOT (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id)
  UNION ALL
  SELECT MIN(d.due_at) FROM deliveries d
  WHERE d.due_at IS NOT NULL AND d.parked = 1 AND NOT (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id))`;

/** Operator actions on the queue (resend, recover, skip) and the idle worker's wake-up time. */
export function sqliteQueueManual(
  db: Db,
): Pick<DeliveryQueue, 'resend' | 'recover' | 'cancel' | 'hurry' | 'nextDueAt'> {
  const deliveryFor = db.prepare<[string, string, string], DeliveryRow>(DELIVERY_FOR);
  const exists = (table: 'messages' | 'endpoints', appId: string, id: string) =>
    db.prepare(`SELECT 1 FROM ${table} WHERE app_id = ? AND id = ?`).get(appId, id) !== undefined;
  const resend = db.transaction((appId: string, msgId: string, endpointId: string) => {
    const now = Date.now();
    if (!exists('messages', appId, msgId)) throw notFound('message');
    if (!exists('endpoints', appId, endpointId)) throw notFound('endpoint');
    const existing = deliveryFor.get(appId, msgId, endpointId);
    const refused = resendRefusal(existing?.status);
    if (refused) throw refused;
    db.prepare(PROBE_NOW).run({ now, endpoint: endpointId });
    if (existing) db.prepare(RESEND_EXISTING).run({ now, endpoint: endpointId, id: existing.id });
    else {
      const id = newId('dlv', now);
      db.prepare(RESEND_NEW).run({ id, app: appId, msg: msgId, endpoint: endpointId, now });
    }
    return toDelivery(deliveryFor.get(appId, msgId, endpointId)!);
  });
  const cancel = db.transaction((appId: string, msgId: string, endpointId: string) => {
    const existing = deliveryFor.get(appId, msgId, endpointId);
    const refused = cancelRefusal(existing?.status);
    if (refused) throw refused;
    db.prepare(CANCEL).run(Date.now(), existing!.id);
    return toDelivery(deliveryFor.get(appId, msgId, endpointId)!);
  });
  return {
    resend: async (appId, msgId, endpointId) => resend.immediate(appId, msgId, endpointId),
    cancel: async (appId, msgId, endpointId) => cancel.immediate(appId, msgId, endpointId),
    async recover(appId, endpointId, since, until) {
      const span = { since: since.getTime(), until: until?.getTime() ?? Number.MAX_SAFE_INTEGER };
      return db.prepare(RECOVER).run({ now: Date.now(), app: appId, endpoint: endpointId, ...span }).changes;
    },
    async hurry(appId, endpointId) {
      const now = Date.now();
      return db
        .transaction(() => {
          db.prepare(PROBE_NOW).run({ now, endpoint: endpointId });
          return db.prepare(HURRY).run({ now, app: appId, endpoint: endpointId }).changes;
        })
        .immediate();
    },
    async nextDueAt() {
      const row = db.prepare<[], { due: number | null }>(NEXT_DUE).get();
      return row?.due == null ? null : new Date(row.due);
    },
  };
}
