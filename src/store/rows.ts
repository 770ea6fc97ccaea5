import type {
  Application,
  Attempt,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointSecret,
  EventType,
  Message,
  Metadata,
  Trigger,
} from '../core/model.js';
import type { Health } from '../core/policy.js';
import type { ClaimedDelivery, IdempotencyBegin } from './store.js';

/**
 * Rows as either driver returns them, and their mapping to domain records,
 * written once. The backends store the same columns; only the JavaScript
 * values differ: better-sqlite3 gives booleans as 0/1, times as epoch ms and
 * JSON columns (lists included) as text, where pg gives booleans, Dates,
 * parsed JSON and text[] arrays.
 */
type Bool = boolean | number;
type Time = Date | number;
/** A JSON column: text on SQLite, parsed on PostgreSQL. */
type Json<T> = T | string;

const bool = (v: Bool): boolean => v === true || v === 1;
const time = (v: Time): Date => (v instanceof Date ? v : new Date(v));
const timeOrNull = (v: Time | null): Date | null => (v === null ? null : time(v));
const ms = (v: Time | null): number | null => (v === null ? null : typeof v === 'number' ? v : v.getTime());
function json<T>(v: Json<T>): T;
function json<T>(v: Json<T> | null): T | null;
function json<T>(v: Json<T> | null): T | null {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

/**
 * How both backends keep an endpoint's secrets in one JSON column: expiry as
 * epoch milliseconds, so the value round-trips exactly.
 */
export type StoredSecret = { key: string; expiresAt: number | null };
const toSecrets = (v: Json<StoredSecret[]>): EndpointSecret[] =>
  json(v).map((s) => ({ key: s.key, expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt) }));
/** The secrets column's JSON text. */
export const storeSecrets = (secrets: EndpointSecret[]): string =>
  JSON.stringify(secrets.map((s) => ({ key: s.key, expiresAt: s.expiresAt?.getTime() ?? null })));

export interface AppRow {
  id: string;
  uid: string | null;
  name: string;
  rate_limit: number | null;
  metadata: Json<Metadata>;
  created_at: Time;
  updated_at: Time;
}
export const toApp = (r: AppRow): Application => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  rateLimit: r.rate_limit,
  metadata: json(r.metadata),
  createdAt: time(r.created_at),
  updatedAt: time(r.updated_at),
});

export interface EventTypeRow {
  name: string;
  description: string;
  archived: Bool;
  deprecated: Bool;
  schemas: Json<unknown> | null;
  feature_flag: string | null;
  group_name: string | null;
  created_at: Time;
  updated_at: Time;
}
export const toEventType = (r: EventTypeRow): EventType => ({
  name: r.name,
  description: r.description,
  archived: bool(r.archived),
  deprecated: bool(r.deprecated),
  schemas: json(r.schemas) as EventType['schemas'],
  featureFlag: r.feature_flag,
  groupName: r.group_name,
  createdAt: time(r.created_at),
  updatedAt: time(r.updated_at),
});

export interface EndpointRow {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rate_limit: number | null;
  disabled: Bool;
  disabled_reason: string | null;
  filter_types: Json<string[]> | null;
  channels: Json<string[]> | null;
  metadata: Json<Metadata>;
  headers: Json<Record<string, string>>;
  secrets: Json<StoredSecret[]>;
  max_in_flight: number | null;
  ordered: Bool;
  created_at: Time;
  updated_at: Time;
}
export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  uid: r.uid,
  url: r.url,
  description: r.description,
  version: r.version,
  rateLimit: r.rate_limit,
  disabled: bool(r.disabled),
  disabledReason: r.disabled_reason,
  filterTypes: json(r.filter_types),
  channels: json(r.channels),
  metadata: json(r.metadata),
  headers: json(r.headers),
  secrets: toSecrets(r.secrets),
  maxInFlight: r.max_in_flight,
  ordered: bool(r.ordered),
  createdAt: time(r.created_at),
  updatedAt: time(r.updated_at),
});

export interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  /** The JSON text exactly as accepted: these bytes are signed and sent. */
  payload: string;
  channels: Json<string[]> | null;
  tags: Json<string[]> | null;
  created_at: Time;
}
export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  payload: r.payload,
  channels: json(r.channels),
  tags: json(r.tags),
  createdAt: time(r.created_at),
});

export interface DeliveryRow {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Time | null;
  trigger: Trigger;
  updated_at: Time;
}
/** The delivery columns toDelivery reads, qualified by a table alias. */
export const deliveryColumns = (t: string): string =>
  ['id', 'app_id', 'msg_id', 'endpoint_id', 'status', 'attempts', 'next_attempt_at', 'trigger', 'updated_at']
    .map((c) => `${t}.${c}`)
    .join(', ');
export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  appId: r.app_id,
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: timeOrNull(r.next_attempt_at),
  trigger: r.trigger,
  updatedAt: time(r.updated_at),
});

export interface AttemptRow {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  delivery_id: string;
  url: string;
  status: 'success' | 'fail';
  response_status_code: number;
  response: string;
  response_duration_ms: number;
  error_class: Attempt['errorClass'];
  trigger: Trigger;
  created_at: Time;
}
export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  appId: r.app_id,
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  deliveryId: r.delivery_id,
  url: r.url,
  status: r.status,
  responseStatusCode: r.response_status_code,
  response: r.response,
  responseDurationMs: r.response_duration_ms,
  errorClass: r.error_class,
  trigger: r.trigger,
  createdAt: time(r.created_at),
});

/** What both claims return per leased delivery: the SELECT list of CLAIMED in each backend's SQL. */
export interface ClaimRow {
  id: string;
  attempts: number;
  trigger: Trigger;
  msg_id: string;
  app_id: string;
  event_type: string;
  payload: string;
  msg_created_at: Time;
  endpoint_id: string;
  url: string;
  headers: Json<Record<string, string>>;
  secrets: Json<StoredSecret[]>;
  rate_limit: number | null;
  max_in_flight: number | null;
  ordered: Bool;
}
export const toClaim =
  (leaseToken: string) =>
  (r: ClaimRow): ClaimedDelivery => ({
    deliveryId: r.id,
    leaseToken,
    attempts: r.attempts,
    trigger: r.trigger,
    message: {
      id: r.msg_id,
      appId: r.app_id,
      eventType: r.event_type,
      payload: r.payload,
      createdAt: time(r.msg_created_at),
    },
    endpoint: {
      id: r.endpoint_id,
      url: r.url,
      headers: json(r.headers),
      secrets: toSecrets(r.secrets),
      rateLimit: r.rate_limit,
      maxInFlight: r.max_in_flight,
      ordered: bool(r.ordered),
    },
  });

/** An endpoint's stored health (endpoint_state joined with its endpoint row). */
export interface HealthRow {
  consecutive_failures: number;
  failing_since: Time | null;
  breaker_opens: number;
  breaker_retry_at: Time | null;
  breaker_open: Bool;
  disabled: Bool;
}
export const toHealth = (r: HealthRow): Health & { disabled: boolean } => ({
  consecutiveFailures: r.consecutive_failures,
  failingSince: ms(r.failing_since),
  breakerOpen: bool(r.breaker_open),
  breakerOpens: r.breaker_opens,
  breakerRetryAt: ms(r.breaker_retry_at),
  disabled: bool(r.disabled),
});

/** An endpoint's gating (core/policy.ts Gate) as the gated claims read it. */
export interface GateRow {
  id: string;
  rate_limit: number | null;
  max_in_flight: number | null;
  ordered: Bool;
  breaker_open: Bool;
  rate_tat: Time | null;
  breaker_retry_at: Time | null;
}
export const toGate = (r: GateRow, inFlight: number) => ({
  rateLimit: r.rate_limit,
  maxInFlight: r.max_in_flight,
  ordered: bool(r.ordered),
  breakerOpen: bool(r.breaker_open),
  rateTat: ms(r.rate_tat),
  breakerRetryAt: ms(r.breaker_retry_at),
  inFlight,
});

/** A stored idempotency key that another request holds: finished (its answer) or still in progress. */
export interface KeyRow {
  request_hash: string;
  status_code: number | null;
  body: string | null;
}
export const toKeyState = (r: KeyRow): Exclude<IdempotencyBegin, { state: 'new' }> =>
  r.status_code === null || r.body === null
    ? { state: 'in_progress' }
    : { state: 'done', requestHash: r.request_hash, statusCode: r.status_code, body: r.body };
