import type { Command } from 'commander';
import { clientFor } from './client.js';
import { usage } from './errors.js';
import { appOf, enc, integer } from './flags.js';
import { type Column, printDone, printList, printRecord } from './output.js';

export interface AttemptOut {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  response: string;
  responseStatusCode: number;
  responseDurationMs: number;
  statusText: string;
  triggerType: number;
  timestamp: string;
  errorClass: string | null;
}

const COLUMNS: Column<AttemptOut>[] = [
  ['id', (a) => a.id],
  ['msg', (a) => a.msgId],
  ['endpoint', (a) => a.endpointId],
  ['status', (a) => a.statusText],
  ['code', (a) => a.responseStatusCode || a.errorClass],
  ['ms', (a) => a.responseDurationMs],
  ['time', (a) => a.timestamp],
];

const STATUS = { success: 0, fail: 2 } as const;

/** `hookline attempt list|get` and `hookline resend`. */
export function registerAttempts(program: Command): void {
  const attempt = program.command('attempt').description('delivery attempts: what each endpoint answered');

  attempt
    .command('list')
    .description('attempts of a message (--msg) or at an endpoint (--endpoint), newest first')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .option('--msg <msg>', 'attempts of this message')
    .option('--endpoint <endpoint>', 'attempts at this endpoint (with --msg: of that message there)')
    .option('--status <status>', 'success or fail')
    .option('--limit <n>', 'at most this many (up to 250)', integer('--limit', 1, 250))
    .option('--iterator <it>', 'continue a previous list')
    .action(
      async (
        o: {
          app?: string;
          msg?: string;
          endpoint?: string;
          status?: string;
          limit?: number;
          iterator?: string;
        },
        cmd: Command,
      ) => {
        if (!o.msg && !o.endpoint)
          throw usage('attempt list needs --msg MSG or --endpoint ENDPOINT (or both)');
        if (o.status !== undefined && !(o.status in STATUS)) {
          throw usage(`invalid --status: expected success or fail, got "${o.status}"`);
        }
        const app = enc(appOf(o));
        const path = o.msg
          ? `/api/v1/app/${app}/attempt/msg/${enc(o.msg)}`
          : `/api/v1/app/${app}/attempt/endpoint/${enc(o.endpoint ?? '')}`;
        const page = await clientFor(cmd).request<{ data: AttemptOut[]; done: boolean; iterator: string }>(
          'GET',
          path,
          {
            query: {
              endpoint_id: o.msg ? o.endpoint : undefined,
              status: o.status === undefined ? undefined : STATUS[o.status as keyof typeof STATUS],
              limit: o.limit,
              iterator: o.iterator,
            },
          },
        );
        printList(cmd, page, COLUMNS, 'no attempts');
      },
    );

  attempt
    .command('get')
    .description('one attempt with the response the endpoint gave')
    .argument('<attempt>', 'attempt id')
    .requiredOption('--msg <msg>', 'the message it belongs to')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .action(async (id: string, o: { app?: string; msg: string }, cmd: Command) => {
      const a = await clientFor(cmd).request<AttemptOut>(
        'GET',
        `/api/v1/app/${enc(appOf(o))}/msg/${enc(o.msg)}/attempt/${enc(id)}`,
      );
      printRecord(cmd, a, [
        ['id', a.id],
        ['message', a.msgId],
        ['endpoint', a.endpointId],
        ['url', a.url],
        ['status', a.statusText],
        ['response code', a.responseStatusCode || null],
        ['error class', a.errorClass],
        ['duration', `${a.responseDurationMs} ms`],
        ['trigger', a.triggerType === 1 ? 'manual' : 'scheduled'],
        ['time', a.timestamp],
        ['response', a.response],
      ]);
    });

  program
    .command('resend')
    .description('send a message to an endpoint again now (one manual attempt)')
    .argument('<msg>', 'message id or event id')
    .requiredOption('--endpoint <endpoint>', 'endpoint id or uid')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .action(async (msg: string, o: { app?: string; endpoint: string }, cmd: Command) => {
      await clientFor(cmd).request(
        'POST',
        `/api/v1/app/${enc(appOf(o))}/msg/${enc(msg)}/endpoint/${enc(o.endpoint)}/resend`,
      );
      printDone(cmd, { resent: msg, endpoint: o.endpoint }, `resending ${msg} to ${o.endpoint}`);
    });
}
