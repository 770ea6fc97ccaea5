import type { FastifyInstance } from 'fastify';
import { endpointAccepts } from '../../core/filter.js';
import { type ApiContext, type AppParams, loadApp } from '../context.js';
import { Query } from '../query.js';
import { Fields, NAME_PATTERN } from '../validate.js';

const PAGE = 250;

/**
 * Svix MessagePrecheckIn {eventType, channels?} -> MessagePrecheckOut
 * {active}: would a message of this type (and channels) reach any endpoint
 * now? The routing rules of message accept (core/filter.ts), over the app's
 * endpoints, stopping at the first that takes it.
 */
export function messagePrecheckRoutes(app: FastifyInstance, { store }: ApiContext): void {
  app.post<{ Params: AppParams }>('/api/v1/app/:app_id/msg/precheck/active', async (request) => {
    new Query(request.query).done();
    const f = Fields.body(request.body);
    const eventType =
      f.string('eventType', { required: true, min: 1, max: 256, pattern: NAME_PATTERN }) ?? '';
    const channels = f.stringList('channels', { min: 1, max: 128, maxItems: 10 }) ?? null;
    f.done();
    const application = await loadApp(store, request.params.app_id);
    let after: string | undefined;
    for (;;) {
      const page = await store.endpoints.list(application.id, { limit: PAGE, ...(after ? { after } : {}) });
      if (page.items.some((e) => endpointAccepts(e, { eventType, channels }))) return { active: true };
      const last = page.items.at(-1);
      if (page.done || !last) return { active: false };
      after = last.id;
    }
  });
}
