import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { listOut, Query } from '../query.js';
import { taskOut } from '../tasks.js';

/** Svix BackgroundTaskType values, plus what Hookline runs itself. */
const TASK_KINDS = [
  'endpoint.replay',
  'endpoint.recover',
  'application.stats',
  'message.broadcast',
  'sdk.generate',
  'event-type.aggregate',
  'application.purge_content',
  'endpoint.bulk-replay',
] as const;

/**
 * Background tasks (recover, replay-missing, expunge-all-contents,
 * statistics), stored in the database: any API process answers about any
 * task, whichever process runs it.
 */
export function backgroundTaskRoutes(app: FastifyInstance, { tasks }: ApiContext): void {
  app.get('/api/v1/background-task', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    const status = q.oneOf('status', ['running', 'finished', 'failed'] as const);
    const task = q.oneOf('task', TASK_KINDS);
    // Svix Ordering; newest first unless asked.
    const order = q.oneOf('order', ['ascending', 'descending'] as const) ?? 'descending';
    q.done();
    const result = await tasks.list(
      { ...(status ? { status } : {}), ...(task ? { task } : {}) },
      page,
      order === 'ascending' ? 'asc' : 'desc',
    );
    return listOut(result, (t) => t.id, taskOut);
  });

  app.get<{ Params: { task_id: string } }>('/api/v1/background-task/:task_id', async (request) => {
    new Query(request.query).done();
    const task = await tasks.get(request.params.task_id);
    if (!task) throw notFound('background task (ended tasks are kept a day)');
    return taskOut(task);
  });
}
