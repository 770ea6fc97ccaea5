import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import type { Config } from './config.js';
import { HooklineError } from './core/errors.js';
import { combineEvents } from './delivery/events.js';
import { createWorkerHealth, type WorkerHealth } from './delivery/health.js';
import type { Sender } from './delivery/sender.js';
import { startSenderThread } from './delivery/thread.js';
import { createWorker, type Worker } from './delivery/worker.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

/** A running Hookline process: the API and/or a delivery worker over one store. */
export interface Server {
  /** `http://host:port` the HTTP listener is bound to. */
  url: string;
  apiToken: string;
  store: Store;
  worker: Worker | null;
  /** Graceful stop: close the listener, let attempts in flight finish, close the store. */
  stop(): Promise<void>;
}

const TOKEN_SETTING = 'api_token';
/** How long a stop waits for HTTP requests in flight before closing their connections. */
const HTTP_CLOSE_GRACE_MS = 5000;

/** The configured token, or the one generated on first start and stored, so restarts keep it. */
async function resolveApiToken(store: Store, config: Config): Promise<string> {
  if (config.apiToken) return config.apiToken;
  return store.settings.getOrSet(TOKEN_SETTING, `hk_${randomBytes(24).toString('base64url')}`);
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
}

export async function startServer(config: Config, logger: Logger, hooks: ServerHooks = {}): Promise<Server> {
  const store = await openStore(config.databaseUrl);
  let sender: Sender | null = null;
  let worker: Worker | null = null;
  let workerHealth: WorkerHealth | null = null;
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
    await Promise.all([run(closeHttp), run(() => worker?.stop())]);
    for (const step of [() => sender?.close(), () => store.close()]) await run(step);
    if (failures.length > 0) throw failures[0];
  };
  try {
    const apiToken = await resolveApiToken(store, config);
    if (config.role !== 'api') {
      // The worker's HTTP client runs on a thread of its own (delivery/thread.ts),
      // so API requests and outgoing webhooks do not take turns on one event
      // loop; every database write stays on this thread.
      sender = await startSenderThread(config, (err) => hooks.onFatal?.(err));
      workerHealth = createWorkerHealth();
      worker = createWorker({
        store,
        config,
        sender,
        events: combineEvents(workerLogging(logger.child({ component: 'worker' })), workerHealth.events),
      });
    }
    // A worker-only process still answers health probes (and only those).
    http = await buildApi({
      store,
      config: { ...config, apiToken },
      logger: logger.child({ component: 'api' }),
      onWorkDue: () => worker?.wake(),
      workerProblem: () => workerHealth?.problem() ?? null,
      healthOnly: config.role === 'worker',
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
    worker?.start();
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopping: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      apiToken,
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
