import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HooklineError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { toErrorResponse } from '../errors.js';

/**
 * A real write, undone at once: claiming and releasing an idempotency key
 * (an insert and a delete). A read would pass on a disk that is full, a file
 * that turned read-only or a PostgreSQL that refuses writes, while every
 * accept fails. Client keys always begin with `POST /`, so this one never
 * meets theirs; a claim left behind by a failed release is taken over by the
 * next probe (lock timeout 0) and expires within a minute anyway.
 */
function writeProbe(store: Store): () => Promise<void> {
  const key = `health-probe ${randomUUID()}`;
  let running: Promise<void> | null = null;
  const probe = async () => {
    const begun = await store.idempotency.begin(key, 'health', new Date(Date.now() + 60_000), 0);
    if (begun.state === 'new') await store.idempotency.release(key, begun.token);
  };
  // Probes arriving together share one write.
  return () => {
    running ??= probe().finally(() => {
      running = null;
    });
    return running;
  };
}

/** How long health keeps answering 503 after a request was refused for want of the store. */
export const REFUSAL_MEMORY_MS = 5_000;

/**
 * When a request last failed because the store could not serve it. The probe
 * alone can miss a full disk: its insert fits in WAL pages SQLite already has
 * (the WAL is reused from its start after each checkpoint) while an accept
 * with a real payload needs new ones and fails. A refusal the API just gave
 * is the surer sign.
 */
function recentRefusals(app: FastifyInstance): () => string | null {
  let lastAt = Number.NEGATIVE_INFINITY;
  app.addHook('onError', async (_request, _reply, error) => {
    if (error instanceof HooklineError && error.code === 'STORE_UNAVAILABLE') lastAt = Date.now();
  });
  return () => {
    const ago = Date.now() - lastAt;
    return ago < REFUSAL_MEMORY_MS ? `a request failed ${ago} ms ago: the store could not serve it` : null;
  };
}

/**
 * `GET /api/v1/health`, without a token: 204 as in Svix while the store takes
 * a write, no request was refused for want of the store in the last few
 * seconds and the in-process worker (if any) is not failing in a loop; 503
 * `store_unavailable` otherwise, the reason in the log, so a load balancer
 * stops sending traffic to a process that cannot do its work.
 */
export function healthRoutes(app: FastifyInstance, { store, log, workerProblem }: ApiContext): void {
  const probe = writeProbe(store);
  const refusal = recentRefusals(app);
  app.get('/api/v1/health', { config: { public: true } }, async (_request, reply) => {
    let reason: string | null = null;
    let cause: unknown;
    try {
      await probe();
    } catch (err) {
      reason = 'the store does not take a write';
      cause = err;
    }
    reason ??= refusal() ?? workerProblem();
    if (reason === null) return reply.code(204).send();
    log.warn({ reason, err: cause }, 'health check failed (503)');
    const { status, body } = toErrorResponse(new HooklineError('STORE_UNAVAILABLE', reason, { cause }));
    return reply.code(status).send(body);
  });

  /**
   * `GET /api/v1/health/ping` (Svix's liveness probe), without a token: 204
   * whenever the process answers HTTP at all. It touches no store, so a
   * database outage never makes an orchestrator restart a healthy process;
   * readiness is `GET /api/v1/health`.
   */
  app.get('/api/v1/health/ping', { config: { public: true } }, async (_request, reply) =>
    reply.code(204).send(),
  );
}
