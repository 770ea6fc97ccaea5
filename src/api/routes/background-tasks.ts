import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { Query } from '../query.js';
import { taskOut } from '../tasks.js';

/** `GET /api/v1/background-task/{task_id}`: how a task this process started (recover) is doing. */
export function backgroundTaskRoutes(app: FastifyInstance, { tasks }: ApiContext): void {
  app.get<{ Params: { task_id: string } }>('/api/v1/background-task/:task_id', async (request) => {
    new Query(request.query).done();
    const task = tasks.get(request.params.task_id);
    if (!task) throw notFound('background task (tasks are kept a day, by the process that ran them)');
    return taskOut(task);
  });
}
