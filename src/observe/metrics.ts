import { performance } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkerEvents } from '../delivery/events.js';
import type { Store, StoreGauges } from '../store/store.js';

/**
 * Hookline's Prometheus metrics, one registry per server. Label values come
 * from small fixed sets (outcome, error class, queue state, route pattern,
 * store operation), never from messages, so the series count stays bounded
 * whatever the traffic; per-endpoint series exist only when asked for.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Listeners for the delivery worker: attempt outcomes, durations, first-attempt lag. */
  readonly workerEvents: WorkerEvents;
  /** One answered HTTP request; `route` is the route's pattern (`/api/v1/app/:app_id`), never the URL. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** The store with each repo call timed (hookline_store_operation_duration_seconds). */
  timeStore(store: Store): Store;
  /** The text exposition (reads the queue gauges from the store once). */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Read at scrape time for the queue, breaker and pool gauges. */
  store: Pick<Store, 'gauges'>;
  /** Adds hookline_endpoint_attempts_total{endpoint_id, outcome}: one series per endpoint. */
  perEndpoint: boolean;
  /** Process metrics (CPU, memory, event loop lag, GC) as prom-client collects them. */
  processMetrics?: boolean;
  now?: () => Date;
}

const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_ATTEMPT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const SECONDS_LAG = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const QUEUE_STATES = ['due', 'scheduled', 'in_flight', 'parked', 'failed'] as const;

/** The store's repos whose calls are timed, by name (the `operation` label is `repo.method`). */
const REPOS = [
  'apps',
  'eventTypes',
  'endpoints',
  'messages',
  'queue',
  'attempts',
  'idempotency',
  'settings',
] as const;

export function createMetrics(opts: MetricsOptions): Metrics {
  const now = opts.now ?? (() => new Date());
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const attempts = new Counter({
    name: 'hookline_delivery_attempts_total',
    help: 'Delivery attempts by outcome (success, retry: failed and retried later, exhausted: failed for good) and error class (none on success)',
    labelNames: ['outcome', 'error_class'] as const,
    registers,
  });
  const attemptSeconds = new Histogram({
    name: 'hookline_delivery_attempt_duration_seconds',
    help: 'Time from sending a delivery to its response read (or the transport failure), by result',
    labelNames: ['result'] as const,
    buckets: SECONDS_ATTEMPT,
    registers,
  });
  const firstAttemptLag = new Histogram({
    name: 'hookline_delivery_first_attempt_lag_seconds',
    help: 'Time from a message accepted to the first attempt of each of its deliveries starting',
    buckets: SECONDS_LAG,
    registers,
  });
  const perEndpoint = opts.perEndpoint
    ? new Counter({
        name: 'hookline_endpoint_attempts_total',
        help: 'Delivery attempts per endpoint and outcome (--metrics-per-endpoint)',
        labelNames: ['endpoint_id', 'outcome'] as const,
        registers,
      })
    : null;
  const httpRequests = new Counter({
    name: 'hookline_http_requests_total',
    help: 'API requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'hookline_http_request_duration_seconds',
    help: 'API request time from arrival to the answer sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS_FAST,
    registers,
  });
  const storeSeconds = new Histogram({
    name: 'hookline_store_operation_duration_seconds',
    help: 'Time of each store call (one statement or one transaction), by operation',
    labelNames: ['operation'] as const,
    buckets: SECONDS_FAST,
    registers,
  });

  // The queue gauges share one store read per scrape: the first collect() starts
  // it, the others wait for the same answer, render() forgets it afterwards.
  let snapshot: Promise<StoreGauges | null> | null = null;
  const read = () => {
    snapshot ??= opts.store.gauges(now()).catch(() => {
      gaugeErrors.inc();
      return null;
    });
    return snapshot;
  };
  /** A gauge set from the store's snapshot at each scrape; left out when the read failed. */
  const fromStore = <L extends string>(
    config: { name: string; help: string; labelNames?: readonly L[] },
    set: (gauge: Gauge<L>, g: StoreGauges) => void,
  ) =>
    new Gauge<L>({
      ...config,
      registers,
      async collect() {
        this.reset();
        const g = await read();
        if (g) set(this, g);
      },
    });
  fromStore(
    { name: 'hookline_queue_deliveries', help: 'Deliveries by queue state', labelNames: ['state'] },
    (m, g) => {
      const { due, scheduled, inFlight, parked, failed } = g.depth;
      const values = { due, scheduled, in_flight: inFlight, parked, failed };
      for (const state of QUEUE_STATES) m.set({ state }, values[state]);
    },
  );
  fromStore(
    {
      name: 'hookline_queue_oldest_due_age_seconds',
      help: 'How long the longest-waiting due delivery (not held by an endpoint gate) has been due; 0 when none is',
    },
    (m, g) => m.set(g.oldestDueAt ? Math.max(0, (now().getTime() - g.oldestDueAt.getTime()) / 1000) : 0),
  );
  fromStore(
    {
      name: 'hookline_endpoints',
      help: 'Endpoints with an open circuit breaker or disabled',
      labelNames: ['state'],
    },
    (m, g) => {
      m.set({ state: 'breaker_open' }, g.endpointsBreakerOpen);
      m.set({ state: 'disabled' }, g.endpointsDisabled);
    },
  );
  fromStore(
    {
      name: 'hookline_db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one (absent on SQLite)',
      labelNames: ['state'],
    },
    (m, g) => {
      if (!g.pool) return;
      m.set({ state: 'total' }, g.pool.total);
      m.set({ state: 'idle' }, g.pool.idle);
      m.set({ state: 'waiting' }, g.pool.waiting);
    },
  );

  // After the gauges, so a scrape shows the error of its own read.
  const gaugeErrors = new Counter({
    name: 'hookline_store_gauges_errors_total',
    help: 'Scrapes whose queue gauges could not be read from the store (those gauges are left out)',
    registers,
  });

  const workerEvents: WorkerEvents = {
    attempt({ claim, result, response }) {
      const kind = result.outcome.kind;
      const outcome = kind === 'success' ? 'success' : kind === 'retry' ? 'retry' : 'exhausted';
      attempts.inc({ outcome, error_class: response.errorClass ?? 'none' });
      attemptSeconds.observe(
        { result: kind === 'success' ? 'success' : 'failed' },
        response.durationMs / 1000,
      );
      if (claim.attempts === 0 && claim.trigger === 'scheduled') {
        const lagMs = result.attempt.createdAt.getTime() - claim.message.createdAt.getTime();
        firstAttemptLag.observe(Math.max(0, lagMs) / 1000);
      }
      perEndpoint?.inc({ endpoint_id: claim.endpoint.id, outcome });
    },
  };

  const timed = <T extends object>(name: string, repo: T): T => {
    const out: Record<string, unknown> = {};
    for (const [method, member] of Object.entries(repo)) {
      if (typeof member !== 'function') {
        out[method] = member;
        continue;
      }
      const operation = `${name}.${method}`;
      out[method] = async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await member.apply(repo, args);
        } finally {
          storeSeconds.observe({ operation }, (performance.now() - started) / 1000);
        }
      };
    }
    return out as T;
  };

  return {
    registry,
    workerEvents,
    contentType: registry.contentType,
    httpRequest(method, route, status, seconds) {
      httpRequests.inc({ method, route, status: String(status) });
      httpSeconds.observe({ method, route }, seconds);
    },
    timeStore(store) {
      const wrapped: Store = { ...store };
      for (const name of REPOS)
        (wrapped as unknown as Record<string, unknown>)[name] = timed(name, store[name]);
      return wrapped;
    },
    async render() {
      try {
        return await registry.metrics();
      } finally {
        snapshot = null;
      }
    },
  };
}
