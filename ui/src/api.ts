/**
 * The public REST API as the pages use it: the same routes and shapes as any
 * Svix client, a bearer token in the header (never a cookie, so no CSRF
 * surface). Failures become ApiError with the server's `{code, detail}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ListOut<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

export interface AppOut {
  id: string;
  uid: string | null;
  name: string;
  createdAt: string;
}
export interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: boolean;
  disabledReason?: string;
  filterTypes: string[] | null;
  channels: string[] | null;
  rateLimit: number | null;
  createdAt: string;
}
export interface BreakerOut {
  open: boolean;
  nextProbeAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
}
export interface StatsOut {
  success: number;
  pending: number;
  fail: number;
  sending: number;
  canceled: number;
  breaker: BreakerOut;
}
export interface MessageOut {
  id: string;
  eventType: string;
  eventId: string | null;
  payload: unknown;
  channels: string[] | null;
  tags: string[] | null;
  timestamp: string;
}
export interface DeliveryStatus {
  statusText: string;
  nextAttempt: string | null;
}
export type MessageEndpointOut = EndpointOut & DeliveryStatus;
export type EndpointMessageOut = MessageOut & DeliveryStatus;
export interface AttemptOut {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  response: string;
  responseStatusCode: number;
  responseDurationMs: number;
  statusText: string;
  triggerType: number;
  timestamp: string;
  errorClass: string | null;
}
export interface EventTypeOut {
  name: string;
  description: string;
  archived: boolean;
}
export interface DeliveryBucket {
  start: string;
  success: number;
  fail: number;
}
export interface DeliveryStatsOut {
  since: string;
  until: string;
  bucket: 'minute' | 'hour';
  data: DeliveryBucket[];
}
export interface ExhaustedOut {
  appId: string;
  endpointId: string;
  deliveries: number;
  lastAt: string;
}
export interface QueueStatsOut {
  at: string;
  depth: { due: number; scheduled: number; inFlight: number; parked: number; failed: number };
  oldestDueAt: string | null;
  endpointsBreakerOpen: number;
  endpointsDisabled: number;
  exhausted: { since: string; data: ExhaustedOut[] };
}
export interface TaskOut {
  id: string;
  status: 'running' | 'finished' | 'failed';
  task: string;
  data?: Record<string, unknown>;
  updatedAt: string;
}
export type Session =
  | { kind: 'operator' }
  | {
      kind: 'app-portal';
      appId: string;
      appUid: string | null;
      appName: string;
      capabilities: string[];
      readOnly: boolean;
      theme: PortalTheme | null;
      expiresAt: string;
    };
/** The portal's look: from the link's access options (`portalTheme`) and its query parameters. */
export interface PortalTheme {
  theme?: 'light' | 'dark';
  accent?: string;
  logo?: string;
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T = unknown>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Path segments are always encoded: ids come from the API, but a uid may hold anything the API allows. */
export const seg = (s: string): string => encodeURIComponent(s);

export function createApi(token: string, onUnauthorized: (e: ApiError) => void): Api {
  const call = async <T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> => {
    const url = new URL(`api/v1${path}`, new URL('./', window.location.href));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === '') continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
      else url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
    const text = await res.text();
    const json = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const b = (json ?? {}) as { code?: string; detail?: unknown };
      const detail = Array.isArray(b.detail)
        ? (b.detail as { loc: unknown[]; msg: string }[])
            .map((d) => `${d.loc.filter((l) => l !== 'body').join('.')}: ${d.msg}`)
            .join('; ')
        : String(b.detail ?? res.statusText);
      const err = new ApiError(res.status, b.code ?? 'validation', detail);
      if (res.status === 401) onUnauthorized(err);
      throw err;
    }
    return json as T;
  };
  return {
    get: (path, query) => call('GET', path, query),
    send: (method, path, body) => call(method, path, undefined, body),
  };
}
