import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { clientFor } from './client.js';
import { enc } from './flags.js';
import { failure } from './errors.js';
import { printJson, wantsJson } from './output.js';
import { createProgress } from './progress.js';

export interface TaskOut {
  id: string;
  status: 'running' | 'finished' | 'failed';
  task: string;
  data: Record<string, unknown>;
  updatedAt: string;
}

/** How often the task is polled; short tasks end within one or two polls. */
const POLL_MS = 250;

/**
 * Starts a background task (POST `path` with `body`) and follows it with
 * live progress (progress.ts) until it ends: `--json` prints the final task
 * instead. Exit 1 if the task fails. `summary` turns the task's data into
 * the last line.
 */
export async function followTask(
  cmd: Command,
  client: ReturnType<typeof clientFor>,
  opts: { path: string; body: unknown; label: string; name: string; summary: (task: TaskOut) => string },
): Promise<void> {
  let task = await client.request<TaskOut>('POST', opts.path, { body: opts.body });
  const json = wantsJson(cmd);
  const progress = json ? null : createProgress(opts.label);
  while (task.status === 'running') {
    progress?.update(task.status);
    await sleep(POLL_MS);
    task = await client.request<TaskOut>('GET', `/api/v1/background-task/${enc(task.id)}`);
  }
  if (json) printJson(task);
  if (task.status === 'failed') {
    progress?.end(`${opts.name} failed (task ${task.id})`);
    throw failure(`${opts.name} task ${task.id} failed on the server; see its log`);
  }
  progress?.end(opts.summary(task));
}
