import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import type { Config } from './config.js';
import { createSender, type Sender } from './delivery/sender.js';
import { createAddressGuard } from './delivery/ssrf.js';
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

function workerLogging(logger: Logger) {
  const log = logger.child({ component: 'worker' });
  return {
    error: (e: { op: string; error: unknown; retryInMs: number | null }) =>
      log.warn({ op: e.op, err: e.error, retryInMs: e.retryInMs }, 'delivery worker operation failed'),
    leaseLost: (ids: readonly string[]) =>
      log.warn({ deliveries: ids.length }, 'leases taken over by another worker'),
  };
}

/** The delivery sender with the SSRF guard in its connect path (see delivery/ssrf.ts). */
function guardedSender(config: Config): Sender {
  const guard = createAddressGuard(config);
  return createSender({
    timeoutMs: config.requestTimeoutMs,
    connections: config.concurrency,
    lookup: guard.lookup,
    checkTarget: guard.checkTarget,
  });
}

export async function startServer(config: Config, logger: Logger): Promise<Server> {
  const store = await openStore(config.databaseUrl);
  try {
    const apiToken = await resolveApiToken(store, config);
    const runsWorker = config.role !== 'api';
    // The worker closes only senders it made itself; this one is ours to close.
    const sender = runsWorker ? guardedSender(config) : null;
    const worker = sender ? createWorker({ store, config, sender, events: workerLogging(logger) }) : null;
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
          await sender?.close();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
