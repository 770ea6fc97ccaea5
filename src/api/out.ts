import {
  type Application,
  type Attempt,
  DELIVERY_STATUS_CODE,
  type Delivery,
  type Endpoint,
  type EventType,
  type Message,
} from '../core/model.js';
import type { Health } from '../core/policy.js';

/**
 * Domain records as Svix response shapes (svix@1.99.1 models). Hookline-only
 * fields are additive: `maxInFlight`, `ordered`, `disabledReason` on
 * endpoints, `errorClass` on attempts, `breaker` on endpoint stats,
 * `validateSchema` on event types.
 */
const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function appOut(app: Application) {
  return {
    id: app.id,
    uid: app.uid,
    name: app.name,
    // Svix renamed rateLimit to throttleRate; both are sent so old and new SDKs read it.
    rateLimit: app.rateLimit,
    throttleRate: app.rateLimit,
    metadata: app.metadata,
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}

export function eventTypeOut(et: EventType, withContent = true) {
  return {
    name: et.name,
    description: et.description,
    archived: et.archived,
    deprecated: et.deprecated,
    ...(withContent ? { schemas: et.schemas } : {}),
    featureFlag: et.featureFlag,
    featureFlags: et.featureFlag === null ? null : [et.featureFlag],
    groupName: et.groupName,
    validateSchema: et.validateSchema,
    createdAt: iso(et.createdAt),
    updatedAt: iso(et.updatedAt),
  };
}

/** The endpoint fields shared by EndpointOut and MessageEndpointOut. */
function endpointBase(ep: Endpoint) {
  return {
    id: ep.id,
    uid: ep.uid,
    url: ep.url,
    description: ep.description,
    version: ep.version,
    rateLimit: ep.rateLimit,
    throttleRate: ep.rateLimit,
    disabled: ep.disabled,
    filterTypes: ep.filterTypes,
    channels: ep.channels,
    createdAt: iso(ep.createdAt),
    updatedAt: iso(ep.updatedAt),
  };
}

export function endpointOut(ep: Endpoint) {
  return {
    ...endpointBase(ep),
    metadata: ep.metadata,
    maxInFlight: ep.maxInFlight,
    ordered: ep.ordered,
    ...(ep.disabledReason === null ? {} : { disabledReason: ep.disabledReason }),
  };
}

function statusOf(delivery: Delivery) {
  return {
    status: DELIVERY_STATUS_CODE[delivery.status],
    statusText: delivery.status,
    nextAttempt: delivery.status === 'pending' ? isoOrNull(delivery.nextAttemptAt) : null,
  };
}

/** The stored payload parsed back; `{}` when content was not asked for (Svix `with_content=false`). */
export function payloadOf(msg: Message, withContent = true): unknown {
  return withContent ? JSON.parse(msg.payload) : {};
}

export function messageOut(msg: Message, withContent = true, payload?: unknown) {
  return {
    id: msg.id,
    eventType: msg.eventType,
    eventId: msg.eventId,
    payload: payload !== undefined && withContent ? payload : payloadOf(msg, withContent),
    channels: msg.channels,
    tags: msg.tags,
    timestamp: iso(msg.createdAt),
  };
}

export function messageEndpointOut(delivery: Delivery, ep: Endpoint) {
  return { ...endpointBase(ep), ...statusOf(delivery) };
}

export function endpointMessageOut(delivery: Delivery, msg: Message, withContent = true) {
  return { ...messageOut(msg, withContent), ...statusOf(delivery) };
}

export function attemptOut(a: Attempt, msg?: Message) {
  return {
    id: a.id,
    msgId: a.msgId,
    endpointId: a.endpointId,
    url: a.url,
    response: a.response,
    responseStatusCode: a.responseStatusCode,
    responseDurationMs: a.responseDurationMs,
    status: DELIVERY_STATUS_CODE[a.status],
    statusText: a.status,
    triggerType: a.trigger === 'manual' ? 1 : 0,
    timestamp: iso(a.createdAt),
    errorClass: a.errorClass,
    ...(msg ? { msg: messageOut(msg) } : {}),
  };
}

/** Hookline's `breaker` field of endpoint stats: the circuit breaker now. */
export function breakerOut(h: Health) {
  const at = (ms: number | null) => isoOrNull(ms === null ? null : new Date(ms));
  return {
    open: h.breakerOpen,
    nextProbeAt: h.breakerOpen ? at(h.breakerRetryAt) : null,
    consecutiveFailures: h.consecutiveFailures,
    failingSince: at(h.failingSince),
  };
}
