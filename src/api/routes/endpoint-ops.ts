import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/errors.js';
import { type ApiContext, type EndpointParams, loadEndpoint } from '../context.js';
import { breakerOut, messageOut } from '../out.js';
import { Query } from '../query.js';
import { taskOut } from '../tasks.js';
import { Fields, NAME_PATTERN } from '../validate.js';

/**
 * The example payload of an event type: `examples[index]` of its schema of
 * the highest version (Svix's `schemas` are JSON Schemas by version), or,
 * without one, a small payload saying what it is.
 */
export function examplePayload(eventType: string, schemas: unknown, index: number): unknown {
  if (schemas && typeof schemas === 'object') {
    const versions = Object.keys(schemas).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    for (const v of versions) {
      const examples = (schemas as Record<string, { examples?: unknown }>)[v]?.examples;
      if (Array.isArray(examples) && index < examples.length) return examples[index];
    }
  }
  return { type: eventType, example: true, detail: 'an example event sent by Hookline' };
}

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
    const task = background('endpoint.recover', async () => {
      const recovered = await store.queue.recover(application.id, endpoint.id, since ?? now, until ?? null);
      log.info({ endpointId: endpoint.id, recovered }, 'endpoint recovered');
      if (recovered > 0) wake();
      return { recovered };
    });
    // Svix RecoverOut; GET /api/v1/background-task/{id} follows it.
    const { data: _, ...recoverOut } = taskOut(task);
    return reply.code(202).send(recoverOut);
  });

  /**
   * Svix's send-example: a message of the event type, with its example
   * payload, to this endpoint alone whatever its filters (a disabled endpoint
   * gets nothing). Answers 202 with the MessageOut.
   */
  app.post<{ Params: EndpointParams }>(`${path}/send-example`, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const f = Fields.body(request.body);
    const eventType =
      f.string('eventType', { required: true, min: 1, max: 256, pattern: NAME_PATTERN }) ?? '';
    const index = f.int('exampleIndex', { min: 0, max: 1000 }) ?? 0;
    f.done();
    const known = await store.eventTypes.get(eventType);
    const payload = examplePayload(eventType, known?.schemas ?? null, index);
    const { message, deliveries } = await store.messages.create({
      appId: application.id,
      eventType,
      eventId: null,
      payload: JSON.stringify(payload),
      channels: null,
      tags: null,
      onlyEndpointId: endpoint.id,
    });
    if (deliveries > 0) wake();
    return reply.code(202).send(messageOut(message, true, payload));
  });
}
