import { conflict, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryStatus } from '../../core/model.js';
import { cancelRefusal, resendRefusal } from '../../core/transitions.js';
import { type DeliveryRow, deliveryColumns, toDelivery } from '../rows.js';
import type { DeliveryQueue } from '../store.js';
import type { Db } from './db.js';
import { GATED } from './gated.js';
import type { DueNotifier } from './notify.js';

/**
 * Resend: make one (message, endpoint) delivery due now as a manual attempt,
 * creating it if routing never did. One statement: the existence checks, the
 * upsert. A delivery being sent right now is left alone (core/transitions.ts
 * resendRefusal). A disabled endpoint's delivery gets no due_at, a gated one's
 * parked set (007_one_queue_model; the endpoint row read FOR SHARE, as in
 * messages.ts).
 */
const RESEND = `
WITH m AS (SELECT id FROM messages WHERE app_id = $1 AND id = $2),
e AS (
  SELECT e.id, e.disabled, e.breaker_open, (${GATED}) AS parked FROM endpoints e
  WHERE e.app_id = $1 AND e.id = $3 FOR SHARE
),
-- An operator's resend is intent: an open breaker's next probe comes forward to now.
probe AS (
  UPDATE endpoint_state s SET breaker_retry_at = $5 FROM e, m
  WHERE s.endpoint_id = e.id AND e.breaker_open AND s.breaker_retry_at > $5
),
up AS (
  INSERT INTO deliveries AS d (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
    created_at, updated_at, parked)
  SELECT $4, $1, m.id, e.id, 'pending', 0, $5, CASE WHEN e.disabled THEN NULL ELSE $5::timestamptz END, 'manual',
    $5, $5, e.parked
  FROM m, e
  ON CONFLICT (msg_id, endpoint_id) DO UPDATE
    -- A delivery still being retried keeps its trigger: the attempt comes forward, the schedule goes on.
    SET status = 'pending', next_attempt_at = $5, due_at = EXCLUDED.due_at, updated_at = $5,
      trigger = CASE WHEN d.status = 'pending' THEN d.trigger ELSE 'manual' END, parked = EXCLUDED.parked
    WHERE d.status <> 'sending'
  RETURNING d.*
)
SELECT (SELECT count(*) FROM m)::int AS has_msg, (SELECT count(*) FROM e)::int AS has_ep,
  up.id, up.app_id, up.msg_id, up.endpoint_id, up.status, up.attempts, up.next_attempt_at, up.trigger,
  up.updated_at
FROM (SELECT 1) one LEFT JOIN up ON true`;

const RECOVER = `
WITH e AS (SELECT e.disabled, (${GATED}) AS parked FROM endpoints e WHERE e.id = $2 FOR SHARE),
r AS (
  UPDATE deliveries SET status = 'pending', next_attempt_at = $5, trigger = 'manual', updated_at = $5,
    due_at = CASE WHEN e.disabled THEN NULL ELSE $5::timestamptz END, parked = e.parked
  FROM e
  WHERE app_id = $1 AND endpoint_id = $2 AND status = 'fail' AND created_at >= $3
    AND ($4::timestamptz IS NULL OR created_at < $4)
    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = deliveries.msg_id AND m.expunged_at IS NOT NULL)
  RETURNING 1
)
SELECT count(*)::int AS n FROM r`;

/** As resend's probe, for one endpoint; a pending delivery with no due_at belongs to a disabled endpoint. */
const HURRY = `
WITH probe AS (
  UPDATE endpoint_state s SET breaker_retry_at = $3 FROM endpoints e
  WHERE e.app_id = $1 AND e.id = $2 AND s.endpoint_id = e.id AND e.breaker_open AND s.breaker_retry_at > $3
), d AS (
  UPDATE deliveries SET next_attempt_at = $3, due_at = $3, updated_at = $3
  WHERE app_id = $1 AND endpoint_id = $2 AND status = 'pending' AND due_at IS NOT NULL AND next_attempt_at > $3
  RETURNING 1
)
SELECT count(*)::int AS n FROM d`;

export function queueManual(
  db: Db,
  notifier: DueNotifier,
): Pick<DeliveryQueue, 'resend' | 'cancel' | 'recover' | 'hurry' | 'nextDueAt'> {
  return {
    async resend(appId, msgId, endpointId) {
      const now = new Date();
      const rows = await db.query<DeliveryRow & { has_msg: number; has_ep: number }>(RESEND, [
        appId,
        msgId,
        endpointId,
        newId('dlv', now.getTime()),
        now,
      ]);
      const row = rows[0]!;
      if (row.has_msg === 0) throw notFound('message');
      if (row.has_ep === 0) throw notFound('endpoint');
      // Not upserted: the upsert's WHERE leaves a delivery being sent alone.
      if (row.id === null) throw resendRefusal('sending')!;
      notifier.poke();
      return toDelivery(row);
    },
    async cancel(appId, msgId, endpointId) {
      const rows = await db.query<DeliveryRow>(
        `UPDATE deliveries SET status = 'canceled', due_at = NULL, next_attempt_at = NULL, updated_at = $4
         WHERE app_id = $1 AND msg_id = $2 AND endpoint_id = $3 AND status = 'pending'
         RETURNING ${deliveryColumns('deliveries')}`,
        [appId, msgId, endpointId, new Date()],
      );
      if (rows[0]) return toDelivery(rows[0]);
      // Not cancelled: say why (only on this rare path, a second read).
      const found = await db.query<{ status: DeliveryStatus }>(
        'SELECT status FROM deliveries WHERE app_id = $1 AND msg_id = $2 AND endpoint_id = $3',
        [appId, msgId, endpointId],
      );
      throw cancelRefusal(found[0]?.status) ?? conflict('the delivery changed meanwhile; try again');
    },
    async recover(appId, endpointId, since, until) {
      const rows = await db.query<{ n: number }>(RECOVER, [appId, endpointId, since, until, new Date()]);
      const n = rows[0]?.n ?? 0;
      if (n > 0) notifier.poke();
      return n;
    },
    async hurry(appId, endpointId) {
      const rows = await db.query<{ n: number }>(HURRY, [appId, endpointId, new Date()]);
      const n = rows[0]?.n ?? 0;
      if (n > 0) notifier.poke();
      return n;
    },
    async nextDueAt() {
      // Lease expiries count too: a stalled delivery becomes claimable then.
      // Both partial indexes: deliveries_due (not parked) and deliveries_parked_due.
      // A disabled endpoint's expired lease is not claimable: left out, or an idle
      // worker would look again and again.
      const rows = await db.query<{ due_at: Date | null }>(
        `SELECT least(
           (SELECT d.due_at FROM deliveries d
            WHERE d.due_at IS NOT NULL AND NOT d.parked
              AND NOT (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id)
            ORDER BY d.due_at LIMIT 1),
           (SELECT d.due_at FROM deliveries d
            WHERE d.due_at IS NOT NULL AND d.parked
              AND NOT (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id)
            ORDER BY d.due_at LIMIT 1)) AS due_at`,
        [],
        { name: 'queue_next_due' },
      );
      return rows[0]?.due_at ?? null;
    },
  };
}
