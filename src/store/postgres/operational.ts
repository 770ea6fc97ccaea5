import {
  type EndpointRef,
  healthLookups,
  OPERATIONAL_APP_ID,
  type OperationalEvent,
  operationalEventsOf,
  operationalWrites,
  raisedEvents,
} from '../../core/operational.js';
import type { HealthPlan } from '../../core/policy.js';
import { GATED } from './gated.js';

/** A statement runner inside a transaction (Db.tx's argument). */
export type Q = <R>(text: string, values?: unknown[]) => Promise<R[]>;

/** Messages of the hidden application and one delivery per subscribed operational endpoint, in one statement. */
const INSERT_EVENTS = `
WITH ev AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS ev(id, event_type, payload)
), m AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
  SELECT id, $4, event_type, NULL, payload, NULL, NULL, $5 FROM ev
)
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked)
SELECT t.id, $4, t.msg_id, t.endpoint_id, 'pending', 0, $5, $5, 'scheduled', $5, $5, coalesce(g.parked, false)
FROM unnest($6::text[], $7::text[], $8::text[]) AS t(id, msg_id, endpoint_id)
LEFT JOIN (
  -- parked for gated endpoints (007_one_queue_model); FOR SHARE as in messages.ts
  SELECT e.id, (${GATED}) AS parked FROM endpoints e WHERE e.id = ANY ($8::text[]) FOR SHARE
) g ON g.id = t.endpoint_id`;

const REFS = `
SELECT e.id, e.app_id, a.uid AS app_uid, e.uid FROM endpoints e JOIN applications a ON a.id = e.app_id
WHERE e.id = ANY ($1::text[])`;

/** Queues operational events inside the caller's transaction; returns how many deliveries were made. */
export async function emitOperational(q: Q, events: readonly OperationalEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const eps = (
    await q<{ id: string; filter_types: string[] | null }>(
      'SELECT id, filter_types FROM endpoints WHERE app_id = $1 AND NOT disabled',
      [OPERATIONAL_APP_ID],
    )
  ).map((e) => ({ id: e.id, filterTypes: e.filter_types }));
  if (eps.length === 0) return 0;
  const w = operationalWrites(events, eps, now.getTime());
  if (w.deliveries.length === 0) return 0;
  await q(INSERT_EVENTS, [
    w.messages.map((m) => m.id),
    w.messages.map((m) => m.eventType),
    w.messages.map((m) => m.payload),
    OPERATIONAL_APP_ID,
    now,
    w.deliveries.map((d) => d.id),
    w.deliveries.map((d) => d.msgId),
    w.deliveries.map((d) => d.endpointId),
  ]);
  return w.deliveries.length;
}

export async function endpointRefs(q: Q, endpointIds: readonly string[]): Promise<Map<string, EndpointRef>> {
  const rows = await q<{ id: string; app_id: string; app_uid: string | null; uid: string | null }>(REFS, [
    endpointIds,
  ]);
  return new Map(
    rows.map((r) => [r.id, { appId: r.app_id, appUid: r.app_uid, endpointId: r.id, endpointUid: r.uid }]),
  );
}

/** The operational events of a recorded batch; no lookups unless something happened. */
export async function emitHealth(q: Q, plan: HealthPlan, now: Date): Promise<number> {
  const ev = plan.events;
  if (!raisedEvents(ev)) return 0;
  const need = healthLookups(ev);
  const refs = await endpointRefs(q, need.endpointIds);
  const eventIds = new Map<string, string | null>();
  if (need.msgIds.length > 0) {
    const rows = await q<{ id: string; event_id: string | null }>(
      'SELECT id, event_id FROM messages WHERE id = ANY ($1::text[])',
      [need.msgIds],
    );
    for (const r of rows) eventIds.set(r.id, r.event_id);
  }
  return emitOperational(q, operationalEventsOf(ev, refs, eventIds), now);
}
