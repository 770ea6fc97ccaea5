import { DEFAULTS } from '../../src/config.js';
import { generateHmacSecret } from '../../src/core/signing.js';
import type { Application, Attempt, Delivery, Endpoint } from '../../src/core/model.js';
import type { WorkerEvents } from '../../src/delivery/events.js';
import { createWorker, type Worker, type WorkerConfig } from '../../src/delivery/worker.js';
import { openStore } from '../../src/store/open.js';
import type { AttemptResult, EndpointInput, Store } from '../../src/store/store.js';
import type { Backend } from '../helpers/backends.js';
import { endpointInput as baseEndpointInput } from '../helpers/fixtures.js';

/** Short, fast settings: a 50/100 ms retry schedule keeps tests quick without asserting on time. */
export const testConfig: WorkerConfig = {
  requestTimeoutMs: 2000,
  concurrency: 8,
  leaseMs: 30_000,
  pollIntervalMs: 200,
  retrySchedule: [50, 100],
  // Receivers listen on loopback; ssrf.test.ts covers the guard itself.
  allowPrivateNetworks: true,
  allowedCidrs: [],
  maxRetryAfterMs: DEFAULTS.maxRetryAfterMs,
  breakerThreshold: DEFAULTS.breakerThreshold,
  breakerBackoffMs: DEFAULTS.breakerBackoffMs,
  autoDisableAfterMs: DEFAULTS.autoDisableAfterMs,
};

export interface Harness {
  store: Store;
  /** Where the store is, for a second store on the same database (another process's connections). */
  databaseUrl: string;
  app: Application;
  /** Every result the worker(s) stored, in order. */
  recorded: AttemptResult[];
  endpoint(url: string, over?: Partial<EndpointInput>): Promise<Endpoint>;
  send(payload?: unknown): Promise<string>;
  /** A worker on the harness's store, or on `extra.store` (on the same database). */
  worker(
    over?: Partial<WorkerConfig>,
    extra?: { events?: WorkerEvents; now?: () => Date; store?: Store },
  ): Worker;
  /** Resolves when `check` holds after some batch of results was stored. */
  until(check: () => boolean, what?: string, timeoutMs?: number): Promise<void>;
  attempts(msgId: string): Promise<Attempt[]>;
  delivery(msgId: string): Promise<Delivery>;
  close(): Promise<void>;
}

/** The shared default endpoint at `url`, with a fresh random secret per endpoint. */
export function endpointInput(url: string, over: Partial<EndpointInput> = {}): EndpointInput {
  return baseEndpointInput({ url, secrets: [{ key: generateHmacSecret(), expiresAt: null }], ...over });
}

/**
 * A fresh store on `backend` with one app, and workers that are stopped on
 * close(). On PostgreSQL the workers also wake on the store's LISTEN/NOTIFY
 * (watchDue), as in production.
 */
export async function harness(backend: Backend): Promise<Harness> {
  const db = await backend.database('delivery');
  const store = await openStore(db.url);
  const app = await store.apps.create({ uid: null, name: 'Shop', rateLimit: null, metadata: {} });
  const recorded: AttemptResult[] = [];
  const workers: Worker[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };

  const h: Harness = {
    store,
    databaseUrl: db.url,
    app,
    recorded,
    endpoint: (url, over) => store.endpoints.create(app.id, endpointInput(url, over)),
    async send(payload = { type: 'payment.succeeded', amount: 4200 }) {
      const { message } = await store.messages.create({
        appId: app.id,
        eventType: 'payment.succeeded',
        eventId: null,
        payload: JSON.stringify(payload),
        channels: null,
        tags: null,
      });
      for (const w of workers) w.wake();
      return message.id;
    },
    worker(over = {}, extra = {}) {
      const events = extra.events ?? {};
      const w = createWorker({
        store: extra.store ?? store,
        config: { ...testConfig, ...over },
        now: extra.now,
        events: {
          ...events,
          recorded: (rs) => {
            recorded.push(...rs);
            events.recorded?.(rs);
            notify();
          },
        },
      });
      workers.push(w);
      return w;
    },
    until(check, what = 'condition', timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const test = () => {
          if (!check()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(test);
        };
        waiters.add(test);
        test();
      });
    },
    async attempts(msgId) {
      const page = await store.attempts.listByMessage(app.id, msgId, {}, { limit: 100 });
      return page.items.slice().reverse(); // oldest first
    },
    async delivery(msgId) {
      const page = await store.messages.deliveries(app.id, msgId, { limit: 10 });
      const first = page.items[0];
      if (!first) throw new Error(`no delivery for ${msgId}`);
      return first.delivery;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await store.close();
      await db.drop();
    },
  };
  return h;
}
