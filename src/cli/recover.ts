import type { Command } from 'commander';
import { clientFor } from './client.js';
import { appOf, enc, pastTime } from './flags.js';
import { followTask } from './task.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** --since and --until as the JSON body of recover and replay-missing. */
function span(o: { since: string; until?: string }) {
  const since = pastTime('--since', o.since);
  const until = o.until === undefined ? undefined : pastTime('--until', o.until);
  return { since, body: { since: since.toISOString(), ...(until ? { until: until.toISOString() } : {}) } };
}

interface SpanOptions {
  app?: string;
  endpoint: string;
  since: string;
  until?: string;
}

/**
 * `hookline recover --app A --endpoint E --since 2h`: re-queues the endpoint's
 * failed deliveries since then (POST .../recover), and `hookline
 * replay-missing` the messages it never had (POST .../replay-missing); both
 * follow the background task to its end (task.ts). Exit 1 if the task fails.
 */
export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description("resend an endpoint's failed deliveries since a time, and follow the job to its end")
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .requiredOption('--endpoint <endpoint>', 'endpoint id or uid')
    .requiredOption('--since <when>', 'failed since (2h, 3d or an ISO time)')
    .option('--until <when>', 'and until (2h, or an ISO time; default now)')
    .action(async (o: SpanOptions, cmd: Command) => {
      const { since, body } = span(o);
      await followTask(cmd, clientFor(cmd), {
        path: `/api/v1/app/${enc(appOf(o))}/endpoint/${enc(o.endpoint)}/recover`,
        body,
        name: 'recover',
        label: `recovering ${o.endpoint} since ${since.toISOString()}`,
        summary: (t) =>
          `recovered ${plural(Number(t.data.recovered ?? 0), 'failed delivery', 'failed deliveries')} (task ${t.id})`,
      });
    });

  program
    .command('replay-missing')
    .description(
      'send an endpoint the messages since a time that it never received, and follow the job to its end',
    )
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .requiredOption('--endpoint <endpoint>', 'endpoint id or uid')
    .requiredOption('--since <when>', 'messages since (2h, 3d or an ISO time)')
    .option('--until <when>', 'and until (2h, or an ISO time; default now)')
    .action(async (o: SpanOptions, cmd: Command) => {
      const { since, body } = span(o);
      await followTask(cmd, clientFor(cmd), {
        path: `/api/v1/app/${enc(appOf(o))}/endpoint/${enc(o.endpoint)}/replay-missing`,
        body,
        name: 'replay-missing',
        label: `replaying missing messages to ${o.endpoint} since ${since.toISOString()}`,
        summary: (t) =>
          `replayed ${plural(Number(t.data.replayed ?? 0), 'missing message', 'missing messages')} (task ${t.id})`,
      });
    });
}
