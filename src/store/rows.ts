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
import { envelopeKeyId, isEnvelope, type Keyring, missingKey } from '../core/secret-box.js';
import type { Dialect } from './dialect.js';
import {
  type ClaimedDelivery,
  type EndpointInput,
  type EventTypeInput,
  type FollowedAttempt,
  type IdempotencyBegin,
  PartialClaimError,
  type TaskRecord,
} from './store.js';

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
const toSecrets = (v: StoredSecret[]): EndpointSecret[] =>
  v.map((s) => ({ key: s.key, expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt) }));
const fromSecrets = (secrets: EndpointSecret[]): StoredSecret[] =>
  secrets.map((s) => ({ key: s.key, expiresAt: s.expiresAt?.getTime() ?? null }));

// ---- sealed columns ---------------------------------------------------------------
/**
 * How endpoints.secrets and endpoints.headers are kept at rest: sealed under
 * a keyring (core/secret-box.ts), or clear text when none is given
 * (PostgreSQL without a key, README "Security"). Each backend's store holds
 * one and passes it to the mappers below; nothing else reads those columns.
 *
 * A sealed column holds its envelope as a JSON string (`"hlenc:v1:..."`), so
 * the column types stay as they are (json on PostgreSQL); a clear one holds
 * the value itself. Both read back, which is how old rows keep working until
 * the start-up pass seals them.
 */
export type FieldCipher = Keyring | null;
type SealedColumn = 'headers' | 'secrets';
const sealContext = (column: SealedColumn, endpointId: string) => `endpoints.${column}:${endpointId}`;

/** A sealed column's stored JSON: pg hands json parsed (an envelope is then a bare string), SQLite as text. */
function storedValue<T>(v: Json<T>): T | string {
  return typeof v === 'string' && !isEnvelope(v) ? (JSON.parse(v) as T | string) : v;
}

/** The JSON text to store in a sealed column. */
function sealJson(cipher: FieldCipher, column: SealedColumn, endpointId: string, value: unknown): string {
  const text = JSON.stringify(value);
  return cipher ? JSON.stringify(cipher.seal(text, sealContext(column, endpointId))) : text;
}

function openJson<T>(cipher: FieldCipher, column: SealedColumn, endpointId: string, v: Json<T>): T {
  const value = storedValue(v);
  if (typeof value !== 'string') return value;
  if (!cipher) throw missingKey(envelopeKeyId(value) ?? 'unknown', []);
  return JSON.parse(cipher.open(value, sealContext(column, endpointId))) as T;
}

/** The secrets column's JSON text. */
export const storeSecrets = (cipher: FieldCipher, endpointId: string, secrets: EndpointSecret[]): string =>
  sealJson(cipher, 'secrets', endpointId, fromSecrets(secrets));
/** The headers column's JSON text. */
export const storeHeaders = (
  cipher: FieldCipher,
  endpointId: string,
  headers: Record<string, string>,
): string => sealJson(cipher, 'headers', endpointId, headers);

/**
 * An endpoint's columns uid .. ordered, in table order, bound for dialect `d`
 * (what INSERT and UPDATE write on both backends); headers and secrets sealed
 * to the endpoint.
 */
export const endpointColumns = (d: Dialect, cipher: FieldCipher, id: string, i: EndpointInput) => [
  i.uid,
  i.url,
  i.description,
  i.version,
  i.rateLimit,
  d.bool(i.disabled),
  i.disabled ? i.disabledReason : null,
  d.list(i.filterTypes),
  d.list(i.channels),
  JSON.stringify(i.metadata),
  storeHeaders(cipher, id, i.headers),
  storeSecrets(cipher, id, i.secrets),
  i.maxInFlight,
  d.bool(i.ordered),
];

/** An event type's columns description .. group_name, in table order, bound for dialect `d`. */
export const eventTypeColumns = (d: Dialect, i: EventTypeInput) => [
  i.description,
  d.bool(i.archived),
  d.bool(i.deprecated),
  i.schemas == null ? null : JSON.stringify(i.schemas),
  i.featureFlag,
  i.groupName,
  d.bool(i.validateSchema),
];

/** The columns resealing reads: `SELECT id, headers, secrets FROM endpoints`. */
export interface SealedRow {
  id: string;
  headers: Json<Record<string, string>>;
  secrets: Json<StoredSecret[]>;
}

/**
 * A row's sealed columns as they should now be stored, or null when they
 * already are. `rotate`: everything not under the primary key is resealed
 * with it; otherwise (the start-up pass) only clear text is sealed. Either
 * way an envelope under a key not given is a CONFIG_INVALID naming the key
 * id, which is how a process refuses to start rather than fail mid-delivery.
 */
export function reseal(
  cipher: FieldCipher,
  row: SealedRow,
  rotate: boolean,
): { headers: string; secrets: string } | null {
  let stale = false;
  for (const column of ['headers', 'secrets'] as const) {
    const value = storedValue<unknown>(row[column]);
    if (typeof value !== 'string') {
      stale ||= cipher !== null;
      continue;
    }
    const keyId = envelopeKeyId(value) ?? 'unknown';
    if (!cipher?.ids.includes(keyId)) throw missingKey(keyId, cipher?.ids ?? []);
    stale ||= rotate && keyId !== cipher.primaryId;
  }
  if (!stale) return null;
  return {
    headers: sealJson(cipher, 'headers', row.id, openJson(cipher, 'headers', row.id, row.headers)),
    secrets: sealJson(cipher, 'secrets', row.id, openJson(cipher, 'secrets', row.id, row.secrets)),
  };
}

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
  validate_schema: Bool;
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
  validateSchema: bool(r.validate_schema),
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
export const toEndpoint =
  (cipher: FieldCipher) =>
  (r: EndpointRow): Endpoint => ({
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
    headers: openJson(cipher, 'headers', r.id, r.headers),
    secrets: toSecrets(openJson(cipher, 'secrets', r.id, r.secrets)),
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
  expunged_at: Time | null;
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
  expungedAt: timeOrNull(r.expunged_at),
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

/** An attempt row with its message's event type (lists.ts followAttempts). */
export const toFollowedAttempt = (r: AttemptRow & { event_type: string }): FollowedAttempt => ({
  ...toAttempt(r),
  eventType: r.event_type,
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
  traceparent: string | null;
  endpoint_id: string;
  url: string;
  headers: Json<Record<string, string>>;
  secrets: Json<StoredSecret[]>;
  rate_limit: number | null;
  max_in_flight: number | null;
  fair_cap: number | null;
  ordered: Bool;
}
/**
 * Reads a claim's rows under its lease token. The rows of one endpoint carry
 * the same sealed headers and secrets (one claim reads one snapshot), so each
 * endpoint's are opened once per claim: a claim is mostly one busy endpoint's
 * rows, and opening is a JSON parse plus, with a key, an AES-GCM decryption.
 */
export const toClaim = (cipher: FieldCipher, leaseToken: string) => {
  const opened = new Map<string, Pick<ClaimedDelivery['endpoint'], 'headers' | 'secrets'>>();
  const endpointFields = (r: ClaimRow) => {
    let fields = opened.get(r.endpoint_id);
    if (!fields) {
      fields = {
        headers: openJson(cipher, 'headers', r.endpoint_id, r.headers),
        secrets: toSecrets(openJson(cipher, 'secrets', r.endpoint_id, r.secrets)),
      };
      opened.set(r.endpoint_id, fields);
    }
    return fields;
  };
  return (r: ClaimRow): ClaimedDelivery => ({
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
      traceparent: r.traceparent,
    },
    endpoint: {
      id: r.endpoint_id,
      url: r.url,
      ...endpointFields(r),
      rateLimit: r.rate_limit,
      maxInFlight: r.max_in_flight,
      fairCap: r.fair_cap,
      ordered: bool(r.ordered),
    },
  });
};

/**
 * Maps a claim's leased rows one by one. A row that cannot be read (a secret
 * sealed under a key this process does not have, a tampered value) stays
 * leased and comes back when its lease runs out; it does not take the rest of
 * the batch with it. Throws PartialClaimError with the rows that were read
 * when one was not, or when `cause` (a failure that stopped the claim
 * itself) is given; returns them otherwise.
 */
export function readClaims(
  rows: readonly ClaimRow[],
  read: (row: ClaimRow) => ClaimedDelivery,
  cause?: unknown,
): ClaimedDelivery[] {
  const claims: ClaimedDelivery[] = [];
  let failure = cause;
  for (const row of rows) {
    try {
      claims.push(read(row));
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw new PartialClaimError(claims, failure);
  return claims;
}

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
  fair_cap: number | null;
  ordered: Bool;
  breaker_open: Bool;
  rate_tat: Time | null;
  breaker_retry_at: Time | null;
}
export const toGate = (r: GateRow, inFlight: number) => ({
  rateLimit: r.rate_limit,
  maxInFlight: r.max_in_flight,
  fairCap: r.fair_cap,
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

export interface TaskRow {
  id: string;
  task: string;
  status: TaskRecord['status'];
  data: Json<Record<string, unknown>>;
  created_at: Time;
  updated_at: Time;
}
export const toTask = (r: TaskRow): TaskRecord => ({
  id: r.id,
  task: r.task,
  status: r.status,
  data: json(r.data),
  createdAt: time(r.created_at),
  updatedAt: time(r.updated_at),
});
