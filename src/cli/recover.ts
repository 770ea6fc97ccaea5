import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { clientFor } from './client.js';
import { failure } from './errors.js';
import { appOf, enc, pastTime } from './flags.js';
import { printJson, wantsJson } from './output.js';
import { createProgress } from './progress.js';

interface TaskOut {
  id: string;
  status: 'running' | 'finished' | 'failed';
  task: string;
  data: Record<string, unknown>;
  updatedAt: string;
}

/** How often the task is polled; short tasks end within one or two polls. */
const POLL_MS = 250;

/**
 * `hookline recover --app A --endpoint E --since 2h`: re-queues the endpoint's
 * failed deliveries since then (POST .../recover) and follows the background
 * task until it ends. Exit 1 if the task fails.
 */
export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description("resend an endpoint's failed deliveries since a time, and follow the job to its end")
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .requiredOption('--endpoint <endpoint>', 'endpoint id or uid')
    .requiredOption('--since <when>', 'failed since (2h, 3d or an ISO time)')
    .option('--until <when>', 'and until (2h, or an ISO time; default now)')
    .action(async (o: { app?: string; endpoint: string; since: string; until?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      const since = pastTime('--since', o.since);
      const until = o.until === undefined ? undefined : pastTime('--until', o.until);
      const path = `/api/v1/app/${enc(appOf(o))}/endpoint/${enc(o.endpoint)}/recover`;
      let task = await client.request<TaskOut>('POST', path, {
        body: { since: since.toISOString(), ...(until ? { until: until.toISOString() } : {}) },
      });
      const json = wantsJson(cmd);
      const progress = json ? null : createProgress(`recovering ${o.endpoint} since ${since.toISOString()}`);
      while (task.status === 'running') {
        progress?.update(task.status);
        await sleep(POLL_MS);
        task = await client.request<TaskOut>('GET', `/api/v1/background-task/${enc(task.id)}`);
      }
      if (json) printJson(task);
      if (task.status === 'failed') {
        progress?.end(`recover failed (task ${task.id})`);
        throw failure(`recover task ${task.id} failed on the server; see its log`);
      }
      const n = Number(task.data.recovered ?? 0);
      progress?.end(`recovered ${n} failed ${n === 1 ? 'delivery' : 'deliveries'} (task ${task.id})`);
    });
}
