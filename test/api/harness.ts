import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Svix } from 'svix';
import { request } from 'undici';
import { buildApi } from '../../src/api/app.js';
import type { RelayHub } from '../../src/delivery/relay.js';
import type { HttpLimits } from '../../src/api/transport.js';
import { type Config, DEFAULTS } from '../../src/config.js';
import { openStore } from '../../src/store/open.js';
import type { AttemptResult, Store } from '../../src/store/store.js';
import type { Backend } from '../helpers/backends.js';
import { POLICY } from '../helpers/fixtures.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  json: any;
}

export interface ApiHarness {
  app: FastifyInstance;
  store: Store;
  config: Config;
  serverUrl: string;
  svix: Svix;
  /** How many times the API signalled the worker. */
  wakes(): number;
  /** Raw HTTP with the token unless `token: null`; `body` objects are sent as JSON. */
  http(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    opts?: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string | null },
  ): Promise<RawResponse>;
  close(): Promise<void>;
}

/** The API on 127.0.0.1, an OS-chosen port and a fresh database on `backend`. */
export async function startApi(
  backend: Backend,
  overrides: Partial<Config> = {},
  healthOnly = false,
  limits: Partial<HttpLimits> = {},
  /** A relay hub for the listen routes (delivery/relay.ts); without one they answer 409, as on an API-only process. */
  relay?: RelayHub,
): Promise<ApiHarness> {
  const db = await backend.database('api');
  const store = await openStore(db.url);
  const config: Config = { ...DEFAULTS, apiToken: TOKEN, ...overrides };
  let wakes = 0;
  const app = await buildApi({
    store,
    config,
    healthOnly,
    limits,
    onWorkDue: () => void wakes++,
    ...(relay ? { relay } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const serverUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    store,
    config,
    serverUrl,
    svix: new Svix(TOKEN, { serverUrl }),
    wakes: () => wakes,
    async http(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await request(`${serverUrl}${path}`, { method, headers, body });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, headers: res.headers, text, json };
    },
    async close() {
      await app.close();
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Plays the worker: claims every due delivery and records one attempt each
 * with the given outcome, as src/delivery would after POSTing.
 */
export async function settleDue(
  store: Store,
  outcome: 'success' | 'fail' | 'retry',
  statusCode = outcome === 'success' ? 200 : 500,
): Promise<number> {
  const claims = await store.queue.claimDue({ limit: 1000, leaseMs: 60_000 });
  const now = new Date();
  const results: AttemptResult[] = claims.map((c) => ({
    deliveryId: c.deliveryId,
    leaseToken: c.leaseToken,
    attempt: {
      appId: c.message.appId,
      msgId: c.message.id,
      endpointId: c.endpoint.id,
      url: c.endpoint.url,
      status: outcome === 'success' ? 'success' : 'fail',
      responseStatusCode: statusCode,
      response: outcome === 'success' ? 'ok' : 'boom',
      responseDurationMs: 12,
      errorClass: outcome === 'success' ? null : 'http',
      trigger: c.trigger,
      createdAt: now,
    },
    outcome:
      outcome === 'success'
        ? { kind: 'success' }
        : outcome === 'fail'
          ? { kind: 'fail' }
          : { kind: 'retry', at: new Date(now.getTime() + 3_600_000) },
  }));
  await store.queue.recordAttempts(results, POLICY);
  return claims.length;
}

/** Polls `check` until it returns true (background work such as recover), failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
