import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import type { Config } from './config.js';
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

/**
 * The delivery worker of this process, if its role has one. Its HTTP client
 * runs on a thread of its own (delivery/thread.ts), so API requests and
 * outgoing webhooks do not take turns on one event loop; every database write
 * stays on this thread.
 */
async function startWorker(store: Store, config: Config, logger: Logger): Promise<Worker | null> {
  if (config.role === 'api') return null;
  const sender = await startSenderThread(config);
  const worker = createWorker({
    store,
    config,
    sender,
    events: workerLogging(logger.child({ component: 'worker' })),
  });
  return {
    start: () => worker.start(),
    wake: () => worker.wake(),
    get inFlight() {
      return worker.inFlight;
    },
    // The worker closes only senders it made itself; this one is ours.
    stop: () => worker.stop().then(() => sender.close()),
  };
}

export async function startServer(config: Config, logger: Logger): Promise<Server> {
  const store = await openStore(config.databaseUrl);
  let worker: Worker | null = null;
  try {
    const apiToken = await resolveApiToken(store, config);
    worker = await startWorker(store, config, logger);
    // A worker-only process still answers health probes (and only those).
    const http: FastifyInstance = await buildApi({
      store,
      config: { ...config, apiToken },
      logger: logger.child({ component: 'api' }),
      onMessageAccepted: () => worker?.wake(),
      healthOnly: config.role === 'worker',
    });
    await http.listen({ port: config.port, host: config.host });
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
        stopping ??= (async () => {
          await http.close();
          await worker?.stop();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await worker?.stop();
    await store.close();
    throw err;
  }
}
