import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

/**
 * `GET /api/v1/health`, without a token: 204 as in Svix when the store
 * answers a trivial read, 503 when it does not, so load balancers see
 * a process that lost its database.
 */
export function healthRoutes(app: FastifyInstance, { store, log }: ApiContext): void {
  app.get('/api/v1/health', { config: { public: true } }, async (_request, reply) => {
    try {
      await store.settings.get('health-probe');
    } catch (err) {
      log.warn({ err }, 'health check: store unavailable');
      return reply.code(503).send({ code: 'store_unavailable', detail: 'the database does not answer' });
    }
    return reply.code(204).send();
  });
}
