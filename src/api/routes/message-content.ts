import type { FastifyInstance } from 'fastify';
import { type ApiContext, type AppParams, loadApp, loadMessage, type MessageParams } from '../context.js';
import { Query } from '../query.js';
import { taskStartedOut } from '../tasks.js';

/** Messages expunged per transaction by expunge-all-contents: each batch a short write. */
const EXPUNGE_BATCH = 200;

/**
 * Expunging content for privacy requests (Svix): a message's payload, an
 * attempt's stored response body, or every message of an application (a
 * background task). Messages and attempts stay listed; an expunged message
 * reads `{"expired":true}`, an expunged response `EXPUNGED`, and the message
 * can no longer be resent (409 content_expunged) nor recovered or replayed.
 */
export function messageContentRoutes(app: FastifyInstance, { store, log, background }: ApiContext): void {
  app.delete<{ Params: MessageParams }>('/api/v1/app/:app_id/msg/:msg_id/content', async (request, reply) => {
    new Query(request.query).done();
    const { app: application, message } = await loadMessage(store, request.params);
    await store.messages.expungeContent(application.id, message.id);
    return reply.code(204).send();
  });

  app.delete<{ Params: MessageParams & { attempt_id: string } }>(
    '/api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id/content',
    async (request, reply) => {
      new Query(request.query).done();
      const { app: application, message } = await loadMessage(store, request.params);
      await store.attempts.expungeContent(application.id, message.id, request.params.attempt_id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: AppParams }>('/api/v1/app/:app_id/msg/expunge-all-contents', async (request, reply) => {
    new Query(request.query).done();
    const application = await loadApp(store, request.params.app_id);
    const task = await background('application.purge_content', async () => {
      let after: string | null = null;
      let expunged = 0;
      for (;;) {
        const batch = await store.messages.expungeBatch(application.id, after, EXPUNGE_BATCH);
        expunged += batch.expunged;
        if (batch.last === null) break;
        after = batch.last;
      }
      log.info({ appId: application.id, expunged }, 'application contents expunged');
      return { expunged };
    });
    // Svix ExpungeAllContentsOut; GET /api/v1/background-task/{id} follows it.
    return reply.code(202).send(taskStartedOut(task));
  });
}
