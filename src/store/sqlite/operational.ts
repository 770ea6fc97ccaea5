import { newId } from '../../core/ids.js';
import {
  type EndpointRef,
  OPERATIONAL_APP_ID,
  type OperationalEvent,
  operationalEventsOf,
  subscribers,
} from '../operational.js';
import type { HealthPlan } from '../policy.js';
import { type Db, parseJson } from './db.js';
import { PARKED_OF_ENDPOINT } from './gated.js';

/**
 * Queues operational events as messages of the hidden application, one
 * delivery per operational endpoint subscribed to the type. Called inside the
 * caller's transaction. Costs one indexed read when no operational endpoint exists.
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
    `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at, parked)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ${PARKED_OF_ENDPOINT})`,
  );
  const refOf = db.prepare<[string], { app_id: string; app_uid: string | null; uid: string | null }>(
    `SELECT e.app_id, a.uid AS app_uid, e.uid FROM endpoints e JOIN applications a ON a.id = e.app_id
     WHERE e.id = ?`,
  );
  const eventIdOf = db.prepare<[string], { event_id: string | null }>(
    'SELECT event_id FROM messages WHERE id = ?',
  );

  const endpoints = () =>
    targets
      .all(OPERATIONAL_APP_ID)
      .map((t) => ({ id: t.id, filterTypes: parseJson<string[]>(t.filter_types) }));

  function emit(events: readonly OperationalEvent[], now: number): number {
    if (events.length === 0) return 0;
    const eps = endpoints();
    let queued = 0;
    for (const ev of events) {
      const to = subscribers(eps, ev.type);
      if (to.length === 0) continue;
      const msgId = newId('msg', now);
      insertMessage.run(msgId, OPERATIONAL_APP_ID, ev.type, ev.payload, now);
      for (const endpointId of to) {
        insertDelivery.run(
          newId('dlv', now),
          OPERATIONAL_APP_ID,
          msgId,
          endpointId,
          now,
          now,
          now,
          endpointId,
        );
        queued++;
      }
    }
    return queued;
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
      if (ev.exhausted.length + ev.failing.length + ev.disabled.length === 0) return 0;
      if (endpoints().length === 0) return 0;
      const refs = new Map<string, EndpointRef>();
      const eventIds = new Map<string, string | null>();
      for (const { result } of [...ev.exhausted, ...ev.failing]) {
        const r = ref(result.attempt.endpointId);
        if (r) refs.set(r.endpointId, r);
        eventIds.set(result.attempt.msgId, eventIdOf.get(result.attempt.msgId)?.event_id ?? null);
      }
      for (const d of ev.disabled) {
        const r = ref(d.endpointId);
        if (r) refs.set(r.endpointId, r);
      }
      return emit(operationalEventsOf(ev, refs, eventIds), now);
    },
  };
}
export type SqliteOperational = ReturnType<typeof sqliteOperational>;
