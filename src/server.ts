import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import type { Config } from './config.js';
import {
  API_TOKEN_CREATED_SETTING,
  API_TOKEN_SETTING,
  generateApiToken,
  hashApiToken,
  isApiTokenHash,
} from './core/api-token.js';
import { HooklineError } from './core/errors.js';
import { combineEvents, type WorkerEvents } from './delivery/events.js';
import { createAttemptTracer } from './delivery/attempt-trace.js';
import { createWorkerHealth, type WorkerHealth } from './delivery/health.js';
import { createRelayHub, type RelayHub } from './delivery/relay.js';
import type { Sender } from './delivery/sender.js';
import { startSenderThread } from './delivery/thread.js';
import { createWorker, type Worker } from './delivery/worker.js';
import { resolveKeys } from './encryption.js';
import { startMetricsServer } from './observe/http.js';
import { createMetrics } from './observe/metrics.js';
import { startTracing, type Tracing } from './observe/tracing.js';
import { openStore } from './store/open.js';
import { resealAll } from './store/reseal.js';
import type { Store } from './store/store.js';

/** A running Hookline process: the API and/or a delivery worker over one store. */
export interface Server {
  /** `http://host:port` the HTTP listener is bound to. */
  url: string;
  /** `http://host:port` of the --metrics-port listener, or null when /metrics is on the API port. */
  metricsUrl: string | null;
  /** The API token when this start generated it (to be shown once), else null: only its hash is stored. */
  newApiToken: string | null;
  store: Store;
  worker: Worker | null;
  /** Graceful stop: close the listener, let attempts in flight finish, close the store. */
  stop(): Promise<void>;
}

const TOKEN_SETTING = API_TOKEN_SETTING;
/** How long a stop waits for HTTP requests in flight before closing their connections. */
const HTTP_CLOSE_GRACE_MS = 5000;

/**
 * The token's hash: of the configured token, or the stored one (generated on
 * first start, so restarts keep it). Only the hash is stored; a clear-text
 * token that older versions stored is replaced by its hash here, whatever the
 * configuration, and keeps working. `generated` is the token this start made.
 */
async function resolveApiToken(
  store: Store,
  config: Config,
): Promise<{ hash: string; generated: string | null }> {
  let stored = await store.settings.get(TOKEN_SETTING);
  if (stored !== null && !isApiTokenHash(stored)) {
    const hash = hashApiToken(stored);
    // Lost the race to another process starting: it stored the same hash.
    await store.settings.replace(TOKEN_SETTING, stored, hash);
    stored = hash;
  }
  if (config.apiToken) return { hash: hashApiToken(config.apiToken), generated: null };
  if (stored !== null) return { hash: stored, generated: null };
  const token = generateApiToken();
  const hash = await store.settings.getOrSet(TOKEN_SETTING, hashApiToken(token));
  // For `hookline token show`; a process that lost the race keeps the winner's time.
  await store.settings.getOrSet(API_TOKEN_CREATED_SETTING, new Date().toISOString());
  return { hash, generated: hash === hashApiToken(token) ? token : null };
}

/**
 * Seals clear-text secrets and header values (rows written before a key was
 * set) and, reading every row, makes sure each stored key id is among the
 * keys given: a missing key stops the start with a message naming it, rather
 * than failing deliveries later.
 */
async function sealAtStart(store: Store, log: Logger): Promise<void> {
  const { resealed } = await resealAll(store, { rotate: false });
  if (resealed > 0)
    log.info({ endpoints: resealed }, 'encrypted clear-text endpoint secrets and headers at rest');
}

/**
 * What operators see of deliveries at `info`: one JSON line per failed
 * attempt, exhausted delivery, breaker opened or closed and endpoint disabled.
 * Ids, status, error class and timing only: never a URL (it may carry a
 * token), a header, a payload or a response body.
 */
export function deliveryLogging(log: Logger): WorkerEvents {
  return {
    recorded: (results) => {
      for (const r of results) {
        const a = r.attempt;
        if (a.status !== 'fail') continue;
        const ids = { appId: a.appId, msgId: a.msgId, endpointId: a.endpointId };
        const o = r.outcome;
        log.info(
          {
            event: 'attempt.failed',
            ...ids,
            statusCode: a.responseStatusCode,
            errorClass: a.errorClass,
            durationMs: a.responseDurationMs,
            trigger: a.trigger,
            nextAttemptAt: o.kind === 'retry' ? o.at.toISOString() : null,
          },
          'delivery attempt failed',
        );
        if (o.kind === 'fail' && a.trigger === 'scheduled') {
          log.info({ event: 'delivery.exhausted', ...ids }, 'delivery failed its last scheduled attempt');
        }
      }
    },
    health: (news) => {
      for (const endpointId of news.breakerOpened)
        log.info({ event: 'breaker.opened', endpointId }, 'circuit breaker opened');
      for (const endpointId of news.breakerClosed)
        log.info({ event: 'breaker.closed', endpointId }, 'circuit breaker closed');
      for (const { endpointId, reason } of news.disabled)
        log.info({ event: 'endpoint.disabled', endpointId, reason }, 'endpoint disabled');
    },
  };
}

function workerLogging(log: Logger) {
  return {
    error: (e: { op: string; error: unknown; retryInMs: number | null }) =>
      log.warn({ op: e.op, err: e.error, retryInMs: e.retryInMs }, 'delivery worker operation failed'),
    leaseLost: (ids: readonly string[]) =>
      log.warn({ deliveries: ids.length }, 'leases taken over by another worker'),
  };
}

/** What the embedding process learns while the server runs. */
export interface ServerHooks {
  /**
   * The process can no longer deliver (its sender thread died). `hookline
   * serve` logs it and stops with a non-zero exit so a supervisor restarts it;
   * leases make sure nothing is lost meanwhile.
   */
  onFatal?: (err: Error) => void;
  /** The environment OpenTelemetry is configured from (OTEL_EXPORTER_OTLP_ENDPOINT...); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function startServer(config: Config, logger: Logger, hooks: ServerHooks = {}): Promise<Server> {
  const keys = resolveKeys(config, { generate: true });
  // The reason and the file, never the key.
  if (keys.warning) logger.warn(keys.warning);
  const opened = await openStore(config.databaseUrl, { cipher: keys.keyring });
  const metrics = createMetrics({
    store: opened,
    perEndpoint: config.metricsPerEndpoint,
    processMetrics: true,
  });
  // Every call through it (API, worker, start-up) is timed in hookline_store_operation_duration_seconds.
  const store = metrics.timeStore(opened);
  let tracing: Tracing | null = null;
  let metricsServer: { url: string; close(): Promise<void> } | null = null;
  let sender: Sender | null = null;
  let worker: Worker | null = null;
  let workerHealth: WorkerHealth | null = null;
  // `hookline listen` streams live on the API side and its deliveries come from
  // the worker: only a process that runs both can relay (api/routes/listen.ts).
  const relay: RelayHub | null = config.role === 'all' ? createRelayHub() : null;
  let http: FastifyInstance | null = null;
  const closeHttp = async () => {
    if (!http) return;
    const server = http.server;
    // Requests in flight get a grace; a client that never finishes its request
    // (or its body) must not keep the process alive, so then its socket is cut.
    const cut = setTimeout(() => server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
    try {
      await http.close();
    } finally {
      clearTimeout(cut);
    }
  };
  const shutdown = async () => {
    const failures: unknown[] = [];
    const run = (step: () => unknown) =>
      Promise.resolve()
        .then(step)
        .catch((err: unknown) => failures.push(err));
    // The listener and the worker stop together: claiming ends at once, not after
    // the last HTTP client has gone. Each step runs even if another failed: a
    // half-stopped process holds leases.
    await Promise.all([run(closeHttp), run(() => worker?.stop()), run(() => metricsServer?.close())]);
    // Spans of the last attempts are sent before the process goes.
    for (const step of [() => sender?.close(), () => tracing?.shutdown(), () => store.close()])
      await run(step);
    if (failures.length > 0) throw failures[0];
  };
  try {
    tracing = await startTracing(hooks.env ?? process.env);
    await sealAtStart(store, logger);
    const token = await resolveApiToken(store, config);
    if (config.role !== 'api') {
      // With the breaker off nothing would ever close one left open by an earlier run.
      if (config.breakerThreshold === 0) {
        const released = await store.endpoints.releaseBreakers();
        if (released > 0)
          logger.info({ released }, 'breaker off (--breaker-threshold 0): open breakers closed');
      }
      // The worker's HTTP client runs on a thread of its own (delivery/thread.ts),
      // so API requests and outgoing webhooks do not take turns on one event
      // loop; every database write stays on this thread.
      sender = await startSenderThread(config, (err) => hooks.onFatal?.(err));
      workerHealth = createWorkerHealth();
      worker = createWorker({
        store,
        config,
        sender,
        ...(relay ? { relay } : {}),
        events: combineEvents(
          workerLogging(logger.child({ component: 'worker' })),
          deliveryLogging(logger.child({ component: 'delivery' })),
          workerHealth.events,
          metrics.workerEvents,
        ),
        tracer: createAttemptTracer(tracing, config.sendTraceparent),
      });
    }
    // A worker-only process still answers health probes (and only those).
    http = await buildApi({
      store,
      config,
      apiTokenHash: token.hash,
      logger: logger.child({ component: 'api' }),
      onWorkDue: () => worker?.wake(),
      workerProblem: () => workerHealth?.problem() ?? null,
      healthOnly: config.role === 'worker',
      ...(relay ? { relay } : {}),
      metrics,
      serveMetrics: config.metricsPort === null,
      tracing,
    });
    await http.listen({ port: config.port, host: config.host }).catch((err: Error) => {
      // EADDRINUSE, EACCES, an unknown host: the operator's to fix, said in one line.
      throw new HooklineError(
        'CONFIG_INVALID',
        `cannot listen on ${config.host}:${config.port}: ${err.message}`,
        {
          cause: err,
        },
      );
    });
    if (config.metricsPort !== null) {
      metricsServer = await startMetricsServer(metrics, config.metricsHost, config.metricsPort).catch(
        (err: Error) => {
          throw new HooklineError(
            'CONFIG_INVALID',
            `cannot listen on ${config.metricsHost}:${config.metricsPort} (--metrics-port): ${err.message}`,
            { cause: err },
          );
        },
      );
    }
    worker?.start();
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopping: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      metricsUrl: metricsServer?.url ?? null,
      newApiToken: token.generated,
      store,
      worker,
      stop() {
        stopping ??= shutdown();
        return stopping;
      },
    };
  } catch (err) {
    await shutdown().catch(() => {});
    throw err;
  }
}
