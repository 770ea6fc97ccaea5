import type { Command } from 'commander';
import { type ApiClient, clientFor } from './client.js';
import type { EventTypeOut } from './event-types.js';
import { usage } from './errors.js';
import { examplePayload } from './example.js';
import { batchSummary, sendBatch } from './message-batch.js';
import { appOf, enc, integer, jsonArgument, list, pastTime } from './flags.js';
import { type Column, details, printDone, printJson, printList, table, wantsJson } from './output.js';

export interface MessageOut {
  id: string;
  eventType: string;
  eventId: string | null;
  payload: unknown;
  channels: string[] | null;
  tags: string[] | null;
  timestamp: string;
}

interface MessageEndpointOut {
  id: string;
  url: string;
  statusText: string;
  nextAttempt: string | null;
}

const COLUMNS: Column<MessageOut>[] = [
  ['id', (m) => m.id],
  ['event type', (m) => m.eventType],
  ['channels', (m) => m.channels],
  ['time', (m) => m.timestamp],
];

interface SendFlags {
  app?: string;
  channel?: string[];
  eventId?: string;
  tag?: string[];
}

/**
 * POSTs a message. The payload goes out as the JSON text given (not re-encoded),
 * so numbers and spacing reach the receivers byte for byte.
 */
async function send(client: ApiClient, app: string, type: string, payloadText: string, o: SendFlags) {
  const parts = [`"eventType":${JSON.stringify(type)}`, `"payload":${payloadText.trim()}`];
  if (o.channel?.length) parts.push(`"channels":${JSON.stringify(o.channel)}`);
  if (o.tag?.length) parts.push(`"tags":${JSON.stringify(o.tag)}`);
  if (o.eventId !== undefined) parts.push(`"eventId":${JSON.stringify(o.eventId)}`);
  return client.request<MessageOut>('POST', `/api/v1/app/${enc(app)}/msg`, { body: `{${parts.join(',')}}` });
}

const sendOptions = (cmd: Command) =>
  cmd
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .option('--channel <a,b>', 'channels of the message (repeatable)', list)
    .option('--tag <a,b>', 'tags of the message (repeatable)', list)
    .option('--event-id <id>', 'your id for the event (sending it twice is a 409)');

interface ListFlags {
  app?: string;
  eventTypes?: string[];
  channel?: string;
  since?: string;
  limit?: number;
  iterator?: string;
}

const sentLine = (m: MessageOut) => `sent ${m.id} (${m.eventType})`;

/** `hookline msg list|get|send` and `hookline trigger`. */
export function registerMessages(program: Command): void {
  const msg = program.command('msg').description("send and inspect an application's messages");

  msg
    .command('list')
    .description('messages, newest first')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .option('--event-types <a,b>', 'only these event types', list)
    .option('--channel <channel>', 'only this channel')
    .option('--since <when>', 'only messages since (2h, 3d or an ISO time)')
    .option('--limit <n>', 'at most this many (up to 250)', integer('--limit', 1, 250))
    .option('--iterator <it>', 'continue a previous list')
    .action(async (f: ListFlags, cmd: Command) => {
      const page = await clientFor(cmd).request<{ data: MessageOut[]; done: boolean; iterator: string }>(
        'GET',
        `/api/v1/app/${enc(appOf(f))}/msg`,
        {
          query: {
            event_types: f.eventTypes,
            channel: f.channel,
            after: f.since === undefined ? undefined : pastTime('--since', f.since).toISOString(),
            limit: f.limit,
            iterator: f.iterator,
            with_content: false,
          },
        },
      );
      printList(cmd, page, COLUMNS, 'no messages');
    });

  msg
    .command('get')
    .description('one message with its payload and its delivery status per endpoint')
    .argument('<msg>', 'message id or event id')
    .option('--app <app>', 'application id or uid [HOOKLINE_APP]')
    .action(async (id: string, o: { app?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      const base = `/api/v1/app/${enc(appOf(o))}/msg/${enc(id)}`;
      const m = await client.request<MessageOut>('GET', base);
      const deliveries = await client.request<{ data: MessageEndpointOut[] }>('GET', `${base}/endpoint`, {
        query: { limit: 250 },
      });
      if (wantsJson(cmd)) {
        printJson({ ...m, endpoints: deliveries.data });
        return;
      }
      process.stdout.write(
        details([
          ['id', m.id],
          ['event type', m.eventType],
          ['event id', m.eventId],
          ['channels', m.channels],
          ['tags', m.tags],
          ['time', m.timestamp],
          ['payload', m.payload],
        ]),
      );
      if (deliveries.data.length === 0) process.stdout.write('\nno endpoint subscribed to it\n');
      else
        process.stdout.write(
          `\n${table(deliveries.data, [
            ['endpoint', (d) => d.id],
            ['url', (d) => d.url],
            ['status', (d) => d.statusText],
            ['next attempt', (d) => d.nextAttempt],
          ])}`,
        );
    });

  sendOptions(
    msg
      .command('send')
      .description('send a message to every endpoint subscribed to its type (or many: --batch)')
      .argument('[type]', 'event type, e.g. payment.succeeded')
      .option('--data <json|@file>', 'the payload: JSON text, @file.json, or @- for stdin')
      .option(
        '--batch <file.ndjson>',
        'send many: one message object a line ({"eventType", "payload", ...}), 1,000 per call; - for stdin',
      ),
  ).action(
    async (type: string | undefined, o: SendFlags & { data?: string; batch?: string }, cmd: Command) => {
      if (o.batch !== undefined) {
        if (type !== undefined || o.data !== undefined)
          throw usage('--batch takes no <type> or --data: each line has its own');
        const results = await sendBatch(clientFor(cmd), appOf(o), o.batch);
        if (wantsJson(cmd)) {
          printJson(results.map((r) => ({ line: r.line, ...r.item })));
          batchSummary(results); // still exits 1 when some were refused
        } else {
          console.log(batchSummary(results));
        }
        return;
      }
      if (type === undefined || o.data === undefined)
        throw usage('msg send needs <type> and --data (or --batch <file>)');
      const payload = jsonArgument('--data', o.data);
      const m = await send(clientFor(cmd), appOf(o), type, payload.text, o);
      printDone(cmd, m, sentLine(m));
    },
  );

  sendOptions(
    program
      .command('trigger')
      .description("send an event type's example payload (from its schema's `examples`)")
      .argument('<type>', 'event type, e.g. payment.succeeded'),
  ).action(async (type: string, o: SendFlags, cmd: Command) => {
    const client = clientFor(cmd);
    const et = await client.request<EventTypeOut>('GET', `/api/v1/event-type/${enc(type)}`);
    const m = await send(client, appOf(o), type, JSON.stringify(examplePayload(et.schemas)), o);
    printDone(cmd, m, `${sentLine(m)} with payload ${JSON.stringify(m.payload)}`);
  });
}
