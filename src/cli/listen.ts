import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { parseDuration } from '../core/duration.js';
import { type ApiClient, clientFor } from './client.js';
import { usage } from './errors.js';
import { followStream } from './event-stream.js';
import { appOf, enc, list } from './flags.js';
import { wantsJson } from './output.js';

/** POST /api/v1/app/{app}/listen's answer. */
interface ListenSession {
  endpointId: string;
  uid: string;
  url: string;
  filterTypes: string[] | null;
  secret: string;
}

/** One `event: delivery` of the listen stream. */
interface RelayRequest {
  requestId: string;
  msgId: string;
  eventType: string;
  attempt: number;
  headers: Record<string, string>;
  body: string;
}

/** What is reported back per delivery (and printed). */
interface LocalAnswer {
  statusCode: number;
  body: string;
  durationMs: number;
  error?: string;
}

/** The stored response is cut to 4 KiB anyway; a larger local body is not worth sending back. */
const MAX_REPORTED_BODY = 4096;

function checkForwardUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`invalid --forward-to "${text}": expected a URL such as http://localhost:3000/webhooks`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`invalid --forward-to "${text}": expected http:// or https://`);
  }
  return url.toString();
}

/** POSTs one relayed delivery to the local receiver, exactly as Hookline signed it. */
async function forward(target: string, request: RelayRequest, timeoutMs: number): Promise<LocalAnswer> {
  const started = performance.now();
  try {
    const res = await fetch(target, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch((err: Error) => `(response body unreadable: ${err.message})`);
    return {
      statusCode: res.status,
      body: text.slice(0, MAX_REPORTED_BODY),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (err as Error).message);
    return {
      statusCode: 0,
      body: '',
      durationMs: Math.round(performance.now() - started),
      error: `${target}: ${reason}`,
    };
  }
}

/** One line per delivery: time, event type, message id, local status, duration. */
export function listenLine(request: RelayRequest, answer: LocalAnswer, at: Date): string {
  const status =
    answer.statusCode === 0 ? `failed (${answer.error ?? 'no answer'})` : String(answer.statusCode);
  const retry = request.attempt > 1 ? `  (attempt ${request.attempt})` : '';
  return `${at.toISOString()}  ${request.eventType}  ${request.msgId}  -> ${status}  ${answer.durationMs} ms${retry}`;
}

async function report(client: ApiClient, base: string, request: RelayRequest, answer: LocalAnswer) {
  try {
    await client.request('POST', `${base}/result`, { body: { requestId: request.requestId, ...answer } });
  } catch (err) {
    // Too late (the server gave up waiting) or the server is gone: the delivery retries on its schedule.
    process.stderr.write(`could not report ${request.msgId}: ${(err as Error).message}\n`);
  }
}

/** `hookline listen`: the developer's loop, like `stripe listen`. */
export function registerListen(program: Command): void {
  program
    .command('listen')
    .description(
      "forward an application's deliveries to a local receiver (like `stripe listen`) through a listen endpoint; Ctrl-C ends",
    )
    .requiredOption('--forward-to <url>', 'the local receiver, e.g. http://localhost:3000/webhooks')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .option('--events <types>', 'only these event types (a,b; repeatable); default: every event type', list)
    .option('--name <name>', 'session name: one listen endpoint (and secret) per app and name', 'default')
    .option('--timeout <duration>', 'how long the local receiver may take', '10s')
    .action(
      async (
        o: { forwardTo: string; app?: string; events?: string[]; name: string; timeout: string },
        cmd: Command,
      ) => {
        const target = checkForwardUrl(o.forwardTo);
        const timeoutMs = parseDuration(o.timeout);
        if (timeoutMs === undefined || timeoutMs <= 0) {
          throw usage(`invalid --timeout "${o.timeout}": expected a duration such as 10s`);
        }
        const json = wantsJson(cmd);
        const client = clientFor(cmd);
        const app = enc(appOf(o));
        const session = await client.request<ListenSession>('POST', `/api/v1/app/${app}/listen`, {
          body: { name: o.name, filterTypes: o.events && o.events.length > 0 ? o.events : null },
        });
        const base = `/api/v1/app/${app}/listen/${enc(session.endpointId)}`;
        const say = (line: string) => process.stderr.write(`${line}\n`);
        if (!json) {
          say(`Forwarding ${session.filterTypes?.join(', ') ?? 'every event type'} to ${target}`);
          say(
            `Listen endpoint ${session.uid} (${session.endpointId}); its signing secret, stable across restarts:`,
          );
          say(`  ${session.secret}`);
        }

        const controller = new AbortController();
        const inFlight = new Set<Promise<void>>();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await followStream({
          client,
          path: `${base}/stream`,
          signal: controller.signal,
          // Notices go to stderr: stdout is one line per event (JSON with --json, after the session line).
          onOpen: (again) => {
            if (json && !again) {
              process.stdout.write(`${JSON.stringify({ ready: true, ...session, forwardTo: target })}\n`);
            }
            say(again ? 'Reconnected.' : 'Ready. Waiting for events (Ctrl-C to stop).');
          },
          onDrop: (reason, retryInMs) => say(`Connection lost (${reason}); reconnecting in ${retryInMs} ms`),
          onEvent: (event) => {
            if (event.event !== 'delivery') return;
            const request = JSON.parse(event.data) as RelayRequest;
            // Each delivery on its own: a slow local handler does not hold back the stream.
            const run = forward(target, request, timeoutMs).then(async (answer) => {
              await report(client, base, request, answer);
              const at = new Date();
              process.stdout.write(
                json
                  ? `${JSON.stringify({ time: at.toISOString(), eventType: request.eventType, msgId: request.msgId, attempt: request.attempt, statusCode: answer.statusCode, durationMs: answer.durationMs, error: answer.error ?? null })}\n`
                  : `${listenLine(request, answer, at)}\n`,
              );
            });
            inFlight.add(run);
            void run.finally(() => inFlight.delete(run));
          },
        });
        // Ctrl-C: what was being forwarded finishes and is reported, then the session ends.
        await Promise.allSettled([...inFlight]);
        if (!json) say('Stopped.');
      },
    );
}
