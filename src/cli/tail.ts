import type { Command } from 'commander';
import { clientFor } from './client.js';
import { usage } from './errors.js';
import { followStream } from './event-stream.js';
import { list } from './flags.js';
import { wantsJson } from './output.js';

/** An attempt as GET /api/v1/stream/attempts sends it. */
interface StreamedAttempt {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  eventType: string;
  statusText: string;
  responseStatusCode: number;
  responseDurationMs: number;
  errorClass: string | null;
  timestamp: string;
}

/** Attempt ids already printed: a resumed stream may send again the last seconds before the drop. */
const REMEMBERED = 10_000;

/** One line for people: time, status (and code), duration, endpoint, event type, message, error class. */
export function tailLine(a: StreamedAttempt): string {
  const code = a.responseStatusCode === 0 ? '---' : String(a.responseStatusCode);
  return [
    a.timestamp,
    a.statusText.padEnd(7),
    code,
    `${a.responseDurationMs} ms`.padStart(8),
    a.endpointId,
    a.eventType,
    a.msgId,
    a.errorClass ?? '',
  ]
    .join('  ')
    .trimEnd();
}

/** `hookline tail`: attempts as they happen, until Ctrl-C. */
export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('show delivery attempts live as they happen (Ctrl-C ends); reconnects by itself')
    .option('--app <app>', 'only this application (id or uid) [HOOKLINE_APP]; default: every application')
    .option('--endpoint <endpoint>', 'only this endpoint (id or uid; needs --app)')
    .option('--event-type <types>', 'only these event types (a,b; repeatable)', list)
    .option('--failed', 'only failed attempts')
    .action(
      async (
        o: { app?: string; endpoint?: string; eventType?: string[]; failed?: boolean },
        cmd: Command,
      ) => {
        const app = o.app ?? process.env.HOOKLINE_APP;
        if (o.endpoint && !app) throw usage('--endpoint needs --app (or HOOKLINE_APP)');
        const json = wantsJson(cmd);
        const client = clientFor(cmd);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const printed = new Set<string>();
        await followStream({
          client,
          path: '/api/v1/stream/attempts',
          query: {
            app_id: app,
            endpoint_id: o.endpoint,
            event_types: o.eventType?.join(','),
            status: o.failed ? 2 : undefined,
          },
          signal: controller.signal,
          // Notices go to stderr, so stdout stays one attempt per line (JSON with --json).
          onOpen: (again) => {
            process.stderr.write(again ? 'reconnected\n' : 'waiting for attempts (Ctrl-C to stop)\n');
          },
          onDrop: (reason, retryInMs) => {
            process.stderr.write(`stream lost (${reason}); reconnecting in ${retryInMs} ms\n`);
          },
          onEvent: (event) => {
            if (event.event !== 'attempt') return;
            const attempt = JSON.parse(event.data) as StreamedAttempt;
            if (printed.has(attempt.id)) return;
            printed.add(attempt.id);
            if (printed.size > REMEMBERED) printed.delete(printed.values().next().value as string);
            process.stdout.write(json ? `${event.data}\n` : `${tailLine(attempt)}\n`);
          },
        });
      },
    );
}
