import { endpointAccepts } from '../core/filter.js';
import type { AttemptResult } from './store.js';

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

/** Events a recorded batch causes, before uids are joined in: built by both backends. */
export interface HealthEvents {
  exhausted: { result: AttemptResult; attemptId: string }[];
  failing: { result: AttemptResult; attemptId: string }[];
  disabled: { endpointId: string; failSince: number | null }[];
}

/**
 * The operational events of a recorded batch, with uids and event ids joined
 * in by the backend. Nothing is said about the hidden application's own
 * endpoints: an operational endpoint failing must not feed itself events.
 */
export function operationalEventsOf(
  ev: HealthEvents,
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
