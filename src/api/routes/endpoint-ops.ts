import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/errors.js';
import { type ApiContext, type EndpointParams, loadEndpoint } from '../context.js';
import { breakerOut } from '../out.js';
import { Query } from '../query.js';
import { taskStartedOut } from '../tasks.js';
import { Fields } from '../validate.js';

/** Endpoint stats (delivery counts by status, breaker state) and recover (resend failures since a time, as a background task). */
export function endpointOpsRoutes(app: FastifyInstance, { store, wake, log, background }: ApiContext): void {
  const path = '/api/v1/app/:app_id/endpoint/:endpoint_id';

  app.get<{ Params: EndpointParams }>(`${path}/stats`, async (request) => {
    const q = new Query(request.query);
    const since = q.date('since');
    const until = q.date('until');
    q.done();
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const counts = await store.endpoints.stats(application.id, endpoint.id, since, until);
    const health = await store.endpoints.health(application.id, endpoint.id);
    return {
      success: counts.success,
      pending: counts.pending,
      fail: counts.fail,
      sending: counts.sending,
      canceled: counts.canceled,
      // Hookline's: the circuit breaker now, whatever since/until say.
      breaker: breakerOut(health),
    };
  });

  /**
   * Answers 202 with a Svix RecoverOut at once and recovers in the background,
   * as Svix does: an endpoint down for a day may have many failed deliveries.
   */
  app.post<{ Params: EndpointParams }>(`${path}/recover`, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const f = Fields.body(request.body);
    const since = f.date('since', true);
    const until = f.date('until');
    f.done();
    const now = new Date();
    if (since && since.getTime() > now.getTime())
      throw invalid(['body', 'since'], 'must not be in the future');
    if (since && until && until.getTime() <= since.getTime()) {
      throw invalid(['body', 'until'], 'must be after since');
    }
    const task = await background('endpoint.recover', async () => {
      const recovered = await store.queue.recover(application.id, endpoint.id, since ?? now, until ?? null);
      log.info({ endpointId: endpoint.id, recovered }, 'endpoint recovered');
      if (recovered > 0) wake();
      return { recovered };
    });
    // Svix RecoverOut; GET /api/v1/background-task/{id} follows it.
    return reply.code(202).send(taskStartedOut(task));
  });
}
