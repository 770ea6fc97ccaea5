import { endpointAccepts } from './filter.js';
import { newId } from './ids.js';
import type { AttemptResult } from './model.js';
import type { HealthPlan } from './policy.js';

/**
 * Operational webhooks ride the normal delivery pipeline: they are messages of
 * one hidden application whose endpoints are the operator's operational
 * endpoints, so they are stored, signed, retried and logged like any webhook.
 * The backends create these messages in the same transaction as the state
 * change they report. This id cannot collide with generated ids (time 0).
 */
export const OPERATIONAL_APP_ID = 'app_0000000000000000000000';
export const OPERATIONAL_APP_NAME = 'Hookline operational webhooks';

/** The event types an operational endpoint can subscribe to. */
export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.exhausted',
  'message.attempt.failing',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** What an event is about, as the backend reads it (uids and event id joined in). */
export interface EndpointRef {
  appId: string;
  appUid: string | null;
  endpointId: string;
  endpointUid: string | null;
}
export interface OperationalEvent {
  type: OperationalEventType;
  /** The event body in the Svix shape (EndpointDisabledEvent, MessageAttemptFailingEvent, ...). */
  payload: string;
}

export function endpointDisabledEvent(
  ref: EndpointRef,
  trigger: 'manual' | 'automatic',
  failSince: number | null,
): OperationalEvent {
  const data = {
    ...ref,
    trigger,
    ...(failSince === null ? {} : { failSince: new Date(failSince).toISOString() }),
  };
  return { type: 'endpoint.disabled', payload: JSON.stringify({ type: 'endpoint.disabled', data }) };
}

export function endpointEnabledEvent(ref: EndpointRef): OperationalEvent {
  return { type: 'endpoint.enabled', payload: JSON.stringify({ type: 'endpoint.enabled', data: ref }) };
}

/** message.attempt.exhausted / message.attempt.failing about the attempt `attemptId` of `r`. */
export function attemptEvent(
  type: 'message.attempt.exhausted' | 'message.attempt.failing',
  ref: EndpointRef,
  msgEventId: string | null,
  r: AttemptResult,
  attemptId: string,
): OperationalEvent {
  const data = {
    appId: ref.appId,
    appUid: ref.appUid,
    endpointId: ref.endpointId,
    msgId: r.attempt.msgId,
    msgEventId,
    lastAttempt: {
      id: attemptId,
      responseStatusCode: r.attempt.responseStatusCode,
      timestamp: r.attempt.createdAt.toISOString(),
    },
  };
  return { type, payload: JSON.stringify({ type, data }) };
}

/** The operational endpoints (of the hidden app) that subscribe to `type`. */
export function subscribers(
  endpoints: readonly { id: string; filterTypes: string[] | null }[],
  type: OperationalEventType,
): string[] {
  return endpoints
    .filter((e) =>
      endpointAccepts(
        { filterTypes: e.filterTypes, channels: null, disabled: false },
        {
          eventType: type,
          channels: null,
        },
      ),
    )
    .map((e) => e.id);
}

/**
 * The operational events of a recorded batch, with uids and event ids joined
 * in by the backend. Nothing is said about the hidden application's own
 * endpoints: an operational endpoint failing must not feed itself events.
 */
export function operationalEventsOf(
  ev: HealthPlan['events'],
  refs: ReadonlyMap<string, EndpointRef>,
  msgEventIds: ReadonlyMap<string, string | null>,
): OperationalEvent[] {
  const out: OperationalEvent[] = [];
  const about = (endpointId: string) => {
    const ref = refs.get(endpointId);
    return ref && ref.appId !== OPERATIONAL_APP_ID ? ref : undefined;
  };
  const attempts = [
    ['message.attempt.failing', ev.failing],
    ['message.attempt.exhausted', ev.exhausted],
  ] as const;
  for (const [type, list] of attempts) {
    for (const { result, attemptId } of list) {
      const ref = about(result.attempt.endpointId);
      const eventId = msgEventIds.get(result.attempt.msgId) ?? null;
      if (ref) out.push(attemptEvent(type, ref, eventId, result, attemptId));
    }
  }
  for (const d of ev.disabled) {
    const ref = about(d.endpointId);
    if (ref) out.push(endpointDisabledEvent(ref, 'automatic', d.failSince));
  }
  return out;
}

/** What to insert for a set of operational events: messages of the hidden app and their deliveries. */
export interface OperationalWrites {
  messages: { id: string; eventType: OperationalEventType; payload: string }[];
  deliveries: { id: string; msgId: string; endpointId: string }[];
}

/**
 * One message per event that any operational endpoint subscribes to, and one
 * delivery per subscriber; events nobody listens to are dropped.
 */
export function operationalWrites(
  events: readonly OperationalEvent[],
  endpoints: readonly { id: string; filterTypes: string[] | null }[],
  now: number,
): OperationalWrites {
  const out: OperationalWrites = { messages: [], deliveries: [] };
  for (const ev of events) {
    const to = subscribers(endpoints, ev.type);
    if (to.length === 0) continue;
    const msgId = newId('msg', now);
    out.messages.push({ id: msgId, eventType: ev.type, payload: ev.payload });
    for (const endpointId of to) out.deliveries.push({ id: newId('dlv', now), msgId, endpointId });
  }
  return out;
}

/** Whether a recorded batch raised any operational event (before any lookup is spent on it). */
export const raisedEvents = (ev: HealthPlan['events']): boolean =>
  ev.exhausted.length + ev.failing.length + ev.disabled.length > 0;

/** What a recorded batch's events need looked up: the endpoints they are about and the messages' event ids. */
export function healthLookups(ev: HealthPlan['events']): { endpointIds: string[]; msgIds: string[] } {
  const attempts = [...ev.exhausted, ...ev.failing].map((a) => a.result.attempt);
  return {
    endpointIds: [
      ...new Set([...attempts.map((a) => a.endpointId), ...ev.disabled.map((d) => d.endpointId)]),
    ],
    msgIds: [...new Set(attempts.map((a) => a.msgId))],
  };
}
