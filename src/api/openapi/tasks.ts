import { TASK_KINDS } from '../routes/background-tasks.js';
import type { Operation } from './operation.js';
import { PAGE } from './params.js';
import { anyJson, dateTime, listOf, object, type Schema, str } from './schema.js';

const TASK_STATUS = str({ enum: ['running', 'finished', 'failed'] });
const TASK_ID = str({ examples: ['qtask_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] });

/**
 * What a route that starts a background task answers at once (Svix RecoverOut,
 * ReplayOut, ExpungeAllContentsOut...; api/tasks.ts taskStartedOut): the task,
 * of the one kind that route runs, without its data.
 */
export function taskStarted(kind: (typeof TASK_KINDS)[number], extra: Record<string, Schema> = {}): Schema {
  const properties = {
    id: TASK_ID,
    status: TASK_STATUS,
    task: str({ enum: [kind] }),
    updatedAt: dateTime(),
    ...extra,
  };
  return object(properties, Object.keys(properties));
}

export const taskSchemas: Record<string, Schema> = {
  BackgroundTaskOut: object(
    {
      id: TASK_ID,
      status: TASK_STATUS,
      task: str({
        enum: [...TASK_KINDS],
        description:
          'Svix BackgroundTaskType; the kinds Hookline runs are started by recover, replay-missing, expunge-all-contents and the two statistics',
      }),
      data: {
        ...anyJson(
          '`{}` while running; when finished, what the task reports (recover `{recovered}`, replay `{replayed}`, ' +
            'purge_content `{expunged}`, application.stats `{since, until, apps}`, event-type.aggregate `{eventTypes}`); ' +
            'when failed, `{error}` (a code, or "interrupted: ..." when its process stopped)',
        ),
        type: 'object',
      },
      updatedAt: dateTime(),
    },
    ['id', 'status', 'task', 'data', 'updatedAt'],
  ),
  ListResponse_BackgroundTaskOut_: listOf('BackgroundTaskOut'),
};

const tag = 'Background Task';

export const taskOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/background-task',
    operationId: 'v1.background-task.list',
    tag,
    summary: 'List background tasks, newest first',
    description:
      'Tasks are rows in the database: any API process lists every task. Ended tasks are kept a day.',
    query: [
      { name: 'status', schema: TASK_STATUS, description: 'Only tasks in this state' },
      { name: 'task', schema: str({ enum: [...TASK_KINDS] }), description: 'Only tasks of this kind' },
      ...PAGE,
      {
        name: 'order',
        schema: str({ enum: ['ascending', 'descending'], default: 'descending' }),
        description: 'Oldest first (`ascending`) or newest first',
      },
    ],
    responses: { 200: 'ListResponse_BackgroundTaskOut_' },
  },
  {
    method: 'GET',
    path: '/api/v1/background-task/{task_id}',
    operationId: 'v1.background-task.get',
    tag,
    summary: 'How a background task is doing',
    description:
      'Any API process answers about any task (they are stored in the database); ended tasks are kept a day.',
    responses: { 200: 'BackgroundTaskOut' },
  },
];
