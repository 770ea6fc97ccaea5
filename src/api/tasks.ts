import type { FastifyBaseLogger } from 'fastify';
import { HooklineError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Store, TaskRecord, TaskStatus } from '../store/store.js';

export type { TaskStatus };
/** A background task (Svix BackgroundTaskOut without its JSON encoding). */
export type BackgroundTask = TaskRecord;

/**
 * How long a running task's lease lasts, and how often its process renews it.
 * A process that dies (crash, kill -9) stops renewing; once the lease lapses
 * the task is reported `failed` with `data.error = "interrupted"`, on whichever
 * process is asked next. Interrupted tasks are not resumed: every task
 * Hookline runs (recover, replay-missing, expunge, statistics) can simply be
 * started again, and each is idempotent or counts afresh.
 */
export const TASK_LEASE_MS = 60_000;
const RENEW_EVERY_MS = 15_000;
/** Ended tasks are kept this long. */
const KEEP_MS = 24 * 3_600_000;
export const INTERRUPTED = { error: 'interrupted: the process running this task stopped before it ended' };

/**
 * Runs background tasks, recording each in the store (008_tasks_and_expunge)
 * so that any API process can answer about any task and a restart loses
 * none. The running process holds each task by a lease it renews.
 */
export function createTaskRunner(store: Store, log: FastifyBaseLogger, opts: { leaseMs?: number } = {}) {
  const leaseMs = opts.leaseMs ?? TASK_LEASE_MS;
  const running = new Map<string, Promise<void>>();
  let renewer: NodeJS.Timeout | null = null;

  const renew = () => {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    store.tasks
      .renew(ids, new Date(Date.now() + leaseMs))
      .catch((err: unknown) => log.warn({ err }, 'background task lease renewal failed'));
  };
  const ensureRenewer = () => {
    if (renewer) return;
    renewer = setInterval(renew, Math.min(RENEW_EVERY_MS, leaseMs / 3));
    renewer.unref();
  };
  const stopRenewerIfIdle = () => {
    if (running.size === 0 && renewer) {
      clearInterval(renewer);
      renewer = null;
    }
  };

  return {
    /**
     * Records the task as running, then runs `work` after the caller's
     * response; what `work` returns becomes the task's `data`, a throw makes
     * it `failed` (logged).
     */
    async start(kind: string, work: () => Promise<Record<string, unknown>>): Promise<BackgroundTask> {
      const now = new Date();
      await store.tasks.prune(new Date(now.getTime() - KEEP_MS));
      const task = await store.tasks.create({
        id: newId('qtask', now.getTime()),
        task: kind,
        leaseUntil: new Date(now.getTime() + leaseMs),
        now,
      });
      const run = (async () => {
        // After the response: the task is polled for, not awaited.
        await new Promise((resolve) => setImmediate(resolve));
        let status: 'finished' | 'failed' = 'finished';
        let data: Record<string, unknown> = {};
        try {
          data = await work();
        } catch (err) {
          log.error({ err, task: kind, taskId: task.id }, 'background task failed');
          status = 'failed';
          // The cause stays in the log: its text may name internal hosts (a database address).
          data = { error: err instanceof HooklineError ? err.code.toLowerCase() : 'internal_error' };
        }
        await store.tasks
          .settle(task.id, status, data)
          .catch((err: unknown) => log.error({ err, taskId: task.id }, 'recording a task end failed'));
      })().finally(() => {
        running.delete(task.id);
        stopRenewerIfIdle();
      });
      running.set(task.id, run);
      ensureRenewer();
      return task;
    },
    /** Reports interrupted tasks (lapsed leases) failed first, so a reader never sees one "running" forever. */
    async get(id: string): Promise<BackgroundTask | null> {
      await store.tasks.failAbandoned(new Date(), INTERRUPTED);
      return store.tasks.get(id);
    },
    async list(...args: Parameters<Store['tasks']['list']>) {
      await store.tasks.failAbandoned(new Date(), INTERRUPTED);
      return store.tasks.list(...args);
    },
    /** Waits for the tasks this process runs (server close). */
    async close(): Promise<void> {
      await Promise.allSettled([...running.values()]);
      stopRenewerIfIdle();
    },
  };
}

export type TaskRunner = ReturnType<typeof createTaskRunner>;

/** Svix BackgroundTaskOut. */
export const taskOut = (t: BackgroundTask) => ({
  id: t.id,
  status: t.status,
  task: t.task,
  data: t.data,
  updatedAt: t.updatedAt.toISOString(),
});

/** The Svix shapes that announce a started task (RecoverOut, ReplayOut, ...): BackgroundTaskOut without data. */
export const taskStartedOut = (t: BackgroundTask) => {
  const { data: _, ...out } = taskOut(t);
  return out;
};
