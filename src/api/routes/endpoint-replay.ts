import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/errors.js';
import { minimalValue, newestSchema, schemaExamples } from '../../core/schema-example.js';
import { type ApiContext, type EndpointParams, loadEndpoint } from '../context.js';
import { messageOut } from '../out.js';
import { Query } from '../query.js';
import { taskStartedOut } from '../tasks.js';
import { Fields, NAME_PATTERN } from '../validate.js';

/** Svix's built-in test event: sendable to any endpoint without an event type of that name. */
const PING_TYPE = 'svix.ping';
const PING_PAYLOAD = { success: true };

/**
 * Replay-missing (a background task) and send-example: both send messages to
 * one endpoint only, whatever its routing says of others.
 */
export function endpointReplayRoutes(
  app: FastifyInstance,
  { store, wake, log, background }: ApiContext,
): void {
  const path = '/api/v1/app/:app_id/endpoint/:endpoint_id';

  /**
   * Svix ReplayIn {since, until?} -> ReplayOut (202): queues every message
   * since `since` that the endpoint's routing accepts and that it never had a
   * delivery for (sent before it existed, or while its filter left it out).
   * Failed deliveries are recover's business, not this.
   */
  app.post<{ Params: EndpointParams }>(`${path}/replay-missing`, async (request, reply) => {
    new Query(request.query).done();
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
    const task = await background('endpoint.replay', async () => {
      const replayed = await store.queue.replayMissing(
        application.id,
        endpoint.id,
        since ?? now,
        until ?? null,
      );
      log.info({ endpointId: endpoint.id, replayed }, 'endpoint replayed missing messages');
      if (replayed > 0) wake();
      return { replayed };
    });
    return reply.code(202).send(taskStartedOut(task));
  });

  /**
   * Svix EventExampleIn {eventType, exampleIndex?} -> MessageOut: a real
   * message of that type, delivered to this endpoint only. Its payload is the
   * type's schema example at `exampleIndex`, or (no examples) the smallest
   * payload the schema accepts (core/schema-example.ts); `{}` without a
   * schema. 422 for an unknown or archived type.
   */
  app.post<{ Params: EndpointParams }>(`${path}/send-example`, async (request) => {
    new Query(request.query).done();
    const f = Fields.body(request.body);
    const eventType =
      f.string('eventType', { required: true, min: 1, max: 256, pattern: NAME_PATTERN }) ?? '';
    const index = f.int('exampleIndex', { min: 0 }) ?? 0;
    f.done();
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    let payload: unknown = PING_PAYLOAD;
    if (eventType !== PING_TYPE) {
      const type = await store.eventTypes.get(eventType);
      if (!type || type.archived) throw invalid(['body', 'eventType'], 'no such event type');
      const schema = newestSchema(type.schemas);
      const examples = schema ? schemaExamples(schema) : [];
      if (examples.length > 0 && index >= examples.length) {
        throw invalid(['body', 'exampleIndex'], `the schema has ${examples.length} example(s)`);
      }
      payload = examples.length > 0 ? examples[index] : schema ? minimalValue(schema) : {};
    }
    const { message, deliveries } = await store.messages.createFor(
      {
        appId: application.id,
        eventType,
        eventId: null,
        payload: JSON.stringify(payload),
        channels: null,
        tags: null,
      },
      endpoint.id,
    );
    if (deliveries > 0) wake();
    return messageOut(message, true, payload);
  });
}
