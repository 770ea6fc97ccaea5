import { newId } from '../core/ids.js';

/** Svix BackgroundTaskStatus. */
export type TaskStatus = 'running' | 'finished' | 'failed';

/** A background task (Svix BackgroundTaskOut without its JSON encoding). */
export interface BackgroundTask {
  id: string;
  task: string;
  status: TaskStatus;
  /** What the task reports when it ends (recover: how many deliveries it re-queued). */
  data: Record<string, unknown>;
  updatedAt: Date;
}

/** How long an ended task can still be read, and how many are kept at most. */
const KEEP_MS = 24 * 3_600_000;
const MAX_TASKS = 1000;

/**
 * The background tasks this process started, so a client can poll
 * `GET /api/v1/background-task/{id}` until one ends. In memory: a task is
 * short and only the process running it knows how it ended. With several API
 * processes behind a load balancer, a poll that reaches another one gets 404.
 */
export function createTaskRegistry(now: () => Date = () => new Date()) {
  const tasks = new Map<string, BackgroundTask>();

  /** Oldest first (insertion order): drops ended tasks past KEEP_MS, and any beyond MAX_TASKS. */
  function prune(): void {
    const cutoff = now().getTime() - KEEP_MS;
    for (const [id, t] of tasks) {
      const expired = t.status !== 'running' && t.updatedAt.getTime() < cutoff;
      if (!expired && tasks.size < MAX_TASKS) break;
      tasks.delete(id);
    }
  }

  return {
    /** Records a running task; `settle` ends it. */
    start(task: string): BackgroundTask {
      prune();
      const started: BackgroundTask = {
        id: newId('qtask'),
        task,
        status: 'running',
        data: {},
        updatedAt: now(),
      };
      tasks.set(started.id, started);
      return { ...started };
    },
    settle(id: string, status: Exclude<TaskStatus, 'running'>, data: Record<string, unknown>): void {
      const t = tasks.get(id);
      if (t) Object.assign(t, { status, data, updatedAt: now() });
    },
    get(id: string): BackgroundTask | undefined {
      const t = tasks.get(id);
      return t ? { ...t } : undefined;
    },
  };
}

export type TaskRegistry = ReturnType<typeof createTaskRegistry>;

/** Svix BackgroundTaskOut. */
export const taskOut = (t: BackgroundTask) => ({
  id: t.id,
  status: t.status,
  task: t.task,
  data: t.data,
  updatedAt: t.updatedAt.toISOString(),
});
