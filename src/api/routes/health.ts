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

/**
 * `GET /api/v1/health`, without a token: 204 as in Svix while the store takes
 * a write and the in-process worker (if any) is not failing in a loop; 503
 * `store_unavailable` otherwise, the reason in the log, so a load balancer
 * stops sending traffic to a process that cannot do its work.
 */
export function healthRoutes(app: FastifyInstance, { store, log, workerProblem }: ApiContext): void {
  const probe = writeProbe(store);
  app.get('/api/v1/health', { config: { public: true } }, async (_request, reply) => {
    let reason: string | null = null;
    let cause: unknown;
    try {
      await probe();
    } catch (err) {
      reason = 'the store does not take a write';
      cause = err;
    }
    reason ??= workerProblem();
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
