import type { FastifyInstance } from 'fastify';
import { HooklineError, notFound } from '../../core/errors.js';
import type { DeliveryStatus } from '../../core/model.js';
import { boundedPage, PAGE_PAYLOAD_BYTES } from '../bounded-page.js';
import {
  type ApiContext,
  type EndpointParams,
  loadEndpoint,
  loadMessage,
  type MessageParams,
} from '../context.js';
import { endpointMessageOut, messageEndpointOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { readMessageFilter } from './messages.js';

/** Svix MessageStatus codes, index = code. */
const STATUSES: readonly DeliveryStatus[] = ['success', 'pending', 'fail', 'sending', 'canceled'];

/** Delivery state per message and per endpoint, and resending one message to one endpoint. */
export function deliveryRoutes(app: FastifyInstance, { store, wake, config }: ApiContext): void {
  app.get<{ Params: MessageParams }>('/api/v1/app/:app_id/msg/:msg_id/endpoint', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    q.done();
    const { app: application, message } = await loadMessage(store, request.params);
    const result = await store.messages.deliveries(application.id, message.id, page);
    return listOut(
      result,
      (d) => d.endpoint.id,
      (d) => messageEndpointOut(d.delivery, d.endpoint),
    );
  });

  app.get<{ Params: EndpointParams }>('/api/v1/app/:app_id/endpoint/:endpoint_id/msg', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    const filter = readMessageFilter(q);
    const status = q.int('status', { min: 0, max: 4 });
    const withContent = q.bool('with_content') ?? true;
    q.bool('expanded_statuses');
    q.done();
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    const statusName = status === undefined ? undefined : STATUSES[status];
    const result = await boundedPage(
      (at) =>
        store.messages.forEndpoint(
          application.id,
          endpoint.id,
          statusName ? { ...filter, status: statusName } : filter,
          at,
        ),
      page,
      (d) => d.message.id,
      (d) => d.message.payload.length,
      { maxBytes: PAGE_PAYLOAD_BYTES, maxItemBytes: config.maxBodyBytes },
    );
    return listOut(
      result,
      (d) => d.message.id,
      (d) => endpointMessageOut(d.delivery, d.message, withContent),
    );
  });

  app.post<{ Params: MessageParams & { endpoint_id: string } }>(
    '/api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend',
    async (request, reply) => {
      const { app: application, message } = await loadMessage(store, request.params);
      const endpoint = await store.endpoints.get(application.id, request.params.endpoint_id);
      if (!endpoint) throw notFound('endpoint');
      // As in Svix: the payload is gone, there is nothing to send.
      if (message.expungedAt) {
        throw new HooklineError(
          'CONTENT_EXPUNGED',
          "the message's content was expunged; it cannot be resent",
        );
      }
      await store.queue.resend(application.id, message.id, endpoint.id);
      wake();
      return reply.code(202).send({});
    },
  );

  /**
   * Hookline addition: skip (cancel) a pending delivery, typically the message
   * holding an ordered endpoint back. The next message of that endpoint is
   * claimable at once. 409 while it is being sent or once it finished.
   */
  app.post<{ Params: MessageParams & { endpoint_id: string } }>(
    '/api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/skip',
    async (request) => {
      const { app: application, message } = await loadMessage(store, request.params);
      const endpoint = await store.endpoints.get(application.id, request.params.endpoint_id);
      if (!endpoint) throw notFound('endpoint');
      const delivery = await store.queue.cancel(application.id, message.id, endpoint.id);
      wake();
      return messageEndpointOut(delivery, endpoint);
    },
  );
}
