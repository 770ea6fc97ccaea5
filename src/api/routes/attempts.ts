import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { Attempt, Message } from '../../core/model.js';
import type { AttemptFilter, Store } from '../../store/store.js';
import { itemsWithinBudget, PAGE_PAYLOAD_BYTES } from '../bounded-page.js';
import {
  type ApiContext,
  type EndpointParams,
  loadEndpoint,
  loadMessage,
  type MessageParams,
} from '../context.js';
import { attemptOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { readMessageFilter } from './messages.js';

/**
 * Attempt lists and lookups. Attempts are only ever success (0) or fail (2);
 * the other Svix statuses are valid filters that match nothing.
 */
function readAttemptFilter(q: Query): AttemptFilter & { none?: true } {
  // event_types, channel, tag as message lists read them; before/after apply to the attempt here.
  const filter: AttemptFilter & { none?: true } = readMessageFilter(q);
  const status = q.int('status', { min: 0, max: 4 });
  if (status === 0) filter.status = 'success';
  else if (status === 2) filter.status = 'fail';
  else if (status !== undefined) filter.none = true;
  // Content is never inlined in attempts; expanded statuses are what Hookline reports anyway.
  q.bool('with_content');
  q.bool('expanded_statuses');
  const statusCodeClass = q.oneOf('status_code_class', ['0', '100', '200', '300', '400', '500'] as const);
  if (statusCodeClass !== undefined) filter.statusCodeClass = Number(statusCodeClass);
  return filter;
}

/** The messages of a page of attempts, one read per distinct message (for `with_msg`). */
async function messagesOf(store: Store, appId: string, attempts: Attempt[]): Promise<Map<string, Message>> {
  const out = new Map<string, Message>();
  for (const id of new Set(attempts.map((a) => a.msgId))) {
    const msg = await store.messages.get(appId, id);
    if (msg) out.set(id, msg);
  }
  return out;
}

export function attemptRoutes(app: FastifyInstance, { store, config }: ApiContext): void {
  app.get<{ Params: MessageParams }>('/api/v1/app/:app_id/attempt/msg/:msg_id', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    const { none, ...filter } = readAttemptFilter(q);
    const endpointId = q.string('endpoint_id');
    q.done();
    const { app: application, message } = await loadMessage(store, request.params);
    if (endpointId !== undefined) {
      const endpoint = await store.endpoints.get(application.id, endpointId);
      if (!endpoint) throw notFound('endpoint');
      filter.endpointId = endpoint.id;
    }
    const result = none
      ? { items: [], done: true }
      : await store.attempts.listByMessage(application.id, message.id, filter, page);
    return listOut(
      result,
      (a) => a.id,
      (a) => attemptOut(a),
    );
  });

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:app_id/attempt/endpoint/:endpoint_id',
    async (request) => {
      const q = new Query(request.query);
      const page = q.page();
      const { none, ...filter } = readAttemptFilter(q);
      const withMsg = q.bool('with_msg') ?? false;
      q.done();
      const { app: application, endpoint } = await loadEndpoint(store, request.params);
      // Each attempt may bring its message: a page holds no more than a page budget of payloads.
      const budget = { maxBytes: PAGE_PAYLOAD_BYTES, maxItemBytes: config.maxBodyBytes };
      const limit = withMsg ? Math.min(page.limit, itemsWithinBudget(budget)) : page.limit;
      const result = none
        ? { items: [], done: true }
        : await store.attempts.listByEndpoint(application.id, endpoint.id, filter, { ...page, limit });
      const messages = withMsg ? await messagesOf(store, application.id, result.items) : new Map();
      return listOut(
        result,
        (a) => a.id,
        (a) => attemptOut(a, messages.get(a.msgId)),
      );
    },
  );

  app.get<{ Params: MessageParams & { attempt_id: string } }>(
    '/api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id',
    async (request) => {
      const q = new Query(request.query);
      q.bool('expanded_statuses');
      q.done();
      const { app: application, message } = await loadMessage(store, request.params);
      const attempt = await store.attempts.get(application.id, message.id, request.params.attempt_id);
      if (!attempt) throw notFound('attempt');
      return attemptOut(attempt);
    },
  );
}
