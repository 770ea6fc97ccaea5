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
import type { Db } from './db.js';
import { gatedOf } from './gated.js';

/**
 * Queues operational events as messages of the hidden application, one
 * delivery per operational endpoint subscribed to the type
 * (core/operational.ts decides which). Called inside the caller's
 * transaction. Costs one indexed read when no operational endpoint exists.
 */
export function sqliteOperational(db: Db) {
  const targets = db.prepare<[string], { id: string; filter_types: string | null }>(
    'SELECT id, filter_types FROM endpoints WHERE app_id = ? AND disabled = 0',
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
     VALUES (?, ?, ?, NULL, ?, NULL, NULL, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
       created_at, updated_at, parked)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, 'scheduled', ?, ?, ${gatedOf('?')})`,
  );
  const refOf = db.prepare<[string], { app_id: string; app_uid: string | null; uid: string | null }>(
    `SELECT e.app_id, a.uid AS app_uid, e.uid FROM endpoints e JOIN applications a ON a.id = e.app_id
     WHERE e.id = ?`,
  );
  const eventIdOf = db.prepare<[string], { event_id: string | null }>(
    'SELECT event_id FROM messages WHERE id = ?',
  );

  const endpoints = () =>
    targets.all(OPERATIONAL_APP_ID).map((t) => ({
      id: t.id,
      filterTypes: t.filter_types === null ? null : (JSON.parse(t.filter_types) as string[]),
    }));

  /** Returns how many deliveries were queued. */
  function emit(events: readonly OperationalEvent[], now: number): number {
    if (events.length === 0) return 0;
    const writes = operationalWrites(events, endpoints(), now);
    for (const m of writes.messages) insertMessage.run(m.id, OPERATIONAL_APP_ID, m.eventType, m.payload, now);
    for (const d of writes.deliveries) {
      insertDelivery.run(d.id, OPERATIONAL_APP_ID, d.msgId, d.endpointId, now, now, now, now, d.endpointId);
    }
    return writes.deliveries.length;
  }

  function ref(endpointId: string): EndpointRef | undefined {
    const r = refOf.get(endpointId);
    return r && { appId: r.app_id, appUid: r.app_uid, endpointId, endpointUid: r.uid };
  }

  return {
    emit,
    ref,
    /** The events of a recorded batch; skips every lookup when nobody listens. */
    emitHealth(plan: HealthPlan, now: number): number {
      const ev = plan.events;
      if (!raisedEvents(ev) || targets.all(OPERATIONAL_APP_ID).length === 0) return 0;
      const need = healthLookups(ev);
      const refs = new Map<string, EndpointRef>();
      for (const id of need.endpointIds) {
        const r = ref(id);
        if (r) refs.set(id, r);
      }
      const eventIds = new Map(need.msgIds.map((id) => [id, eventIdOf.get(id)?.event_id ?? null]));
      return emit(operationalEventsOf(ev, refs, eventIds), now);
    },
  };
}
