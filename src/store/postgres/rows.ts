import type { Delivery, DeliveryStatus, Endpoint, Message, Trigger } from '../../core/model.js';
import { fromStoredSecrets, type StoredSecret } from '../secrets.js';

/**
 * Row shapes as pg returns them (timestamptz as Date, json parsed, text[] as
 * arrays, integers as numbers) and their mapping to domain records. Shared by
 * the repos and the queue, which read the same tables.
 */
export interface EndpointRow {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rate_limit: number | null;
  disabled: boolean;
  disabled_reason: string | null;
  filter_types: string[] | null;
  channels: string[] | null;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  secrets: StoredSecret[];
  max_in_flight: number | null;
  ordered: boolean;
  created_at: Date;
  updated_at: Date;
}

export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  uid: r.uid,
  url: r.url,
  description: r.description,
  version: r.version,
  rateLimit: r.rate_limit,
  disabled: r.disabled,
  disabledReason: r.disabled_reason,
  filterTypes: r.filter_types,
  channels: r.channels,
  metadata: r.metadata,
  headers: r.headers,
  secrets: fromStoredSecrets(r.secrets),
  maxInFlight: r.max_in_flight,
  ordered: r.ordered,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
  created_at: Date;
}
export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  payload: r.payload,
  channels: r.channels,
  tags: r.tags,
  createdAt: r.created_at,
});

export interface DeliveryRow {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  trigger: Trigger;
  updated_at: Date;
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
  nextAttemptAt: r.next_attempt_at,
  trigger: r.trigger,
  updatedAt: r.updated_at,
});

/**
 * The end of both claims (queue.ts, gated.ts): each delivery of the CTE
 * `leased` (with `was_due`, its due time before the lease) and the message
 * and endpoint fields a worker needs, oldest due first.
 */
export const CLAIMED = `
SELECT l.id, l.attempts, l.trigger, m.id AS msg_id, m.app_id, m.event_type, m.payload,
  m.created_at AS msg_created_at, e.id AS endpoint_id, e.url, e.headers, e.secrets, e.rate_limit,
  e.max_in_flight, e.ordered
FROM leased l JOIN messages m ON m.id = l.msg_id JOIN endpoints e ON e.id = l.endpoint_id
ORDER BY l.was_due, l.msg_id`;

/** PostgreSQL text cannot hold NUL; a receiver's binary answer must not make the whole batch fail. */
export const stripNul = (text: string): string =>
  text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
