/**
 * The domain records Hookline stores. Plain data, no behaviour; the API maps
 * them to Svix shapes and the store maps them to rows.
 */
export type Metadata = Record<string, string>;

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

/** Event types are a catalogue shared by all applications, keyed by name (as in Svix). */
export interface EventType {
  name: string;
  description: string;
  archived: boolean;
  deprecated: boolean;
  schemas: unknown | null;
  featureFlag: string | null;
  groupName: string | null;
  /** Hookline extension: refuse (422) messages whose payload fails the type's JSON Schema. */
  validateSchema: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A signing secret; `expiresAt` null is the current one, older ones sign until they expire. */
export interface EndpointSecret {
  key: string;
  expiresAt: Date | null;
}

export interface Endpoint {
  id: string;
  appId: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  /** Messages per second; null is unlimited. */
  rateLimit: number | null;
  disabled: boolean;
  /** Why Hookline disabled it (410, auto-disable); null when a user did or it is enabled. */
  disabledReason: string | null;
  filterTypes: string[] | null;
  channels: string[] | null;
  metadata: Metadata;
  headers: Record<string, string>;
  /** Newest first: secrets[0] is current. */
  secrets: EndpointSecret[];
  /** Hookline extension: cap on deliveries to this endpoint in flight at once; null is no cap. */
  maxInFlight: number | null;
  /** Hookline extension: deliver one at a time in accept order. */
  ordered: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  /** The payload as JSON text, exactly the bytes that are sent and signed. */
  payload: string;
  channels: string[] | null;
  tags: string[] | null;
  createdAt: Date;
  /** When the payload was expunged (then `payload` is Svix's `{"expired":true}`); null while it is kept. */
  expungedAt: Date | null;
}

/** Svix MessageStatus: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled. */
export type DeliveryStatus = 'success' | 'pending' | 'fail' | 'sending' | 'canceled';
export const DELIVERY_STATUS_CODE: Record<DeliveryStatus, number> = {
  success: 0,
  pending: 1,
  fail: 2,
  sending: 3,
  canceled: 4,
};

export type Trigger = 'scheduled' | 'manual';

/** One message owed to one endpoint: the unit the workers claim and retry. */
export interface Delivery {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  trigger: Trigger;
  updatedAt: Date;
}

/** Transport failures by class; `http` is a non-2xx answer. */
export type ErrorClass =
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'tls'
  | 'redirect'
  | 'http'
  | 'blocked'
  /** The response's headers were over the HTTP parser's limit (16 KiB): an answer, but not a readable one. */
  | 'headers'
  /** A `hookline listen` endpoint with no CLI session connected to this process (delivery/relay.ts). */
  | 'relay'
  | 'other';

export interface Attempt {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  deliveryId: string;
  url: string;
  status: 'success' | 'fail';
  /** 0 when no HTTP response arrived. */
  responseStatusCode: number;
  /** Response body (or transport error text), truncated to 4 KiB. */
  response: string;
  responseDurationMs: number;
  errorClass: ErrorClass | null;
  trigger: Trigger;
  createdAt: Date;
}

/** What a delivery does next after an attempt. */
export type AttemptOutcome = { kind: 'success' } | { kind: 'retry'; at: Date } | { kind: 'fail' };

export interface AttemptResult {
  deliveryId: string;
  leaseToken: string;
  attempt: Omit<Attempt, 'id' | 'deliveryId'>;
  outcome: AttemptOutcome;
  /** Disable the endpoint with this reason (410 Gone). */
  disableEndpoint?: string;
}
