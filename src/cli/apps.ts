import type { Command } from 'commander';
import { clientFor } from './client.js';
import { enc, integer, keyValue } from './flags.js';
import { type Column, printDone, printList, printRecord } from './output.js';

export interface AppOut {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS: Column<AppOut>[] = [
  ['id', (a) => a.id],
  ['uid', (a) => a.uid],
  ['name', (a) => a.name],
  ['rate limit', (a) => a.rateLimit],
  ['created', (a) => a.createdAt],
];

const pairs = (a: AppOut): [string, unknown][] => [
  ['id', a.id],
  ['uid', a.uid],
  ['name', a.name],
  ['rate limit', a.rateLimit === null ? null : `${a.rateLimit}/s`],
  ['metadata', Object.keys(a.metadata).length ? a.metadata : null],
  ['created', a.createdAt],
  ['updated', a.updatedAt],
];

interface AppFlags {
  name?: string;
  uid?: string;
  rateLimit?: number;
  metadata?: Record<string, string>;
}

/** ApplicationIn / ApplicationPatch from flags: only what was given. */
function appBody(o: AppFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body.name = o.name;
  if (o.uid !== undefined) body.uid = o.uid;
  if (o.rateLimit !== undefined) body.rateLimit = o.rateLimit;
  if (o.metadata !== undefined) body.metadata = o.metadata;
  return body;
}

const fieldOptions = (cmd: Command): Command =>
  cmd
    .option('--uid <uid>', 'your own unique id for the application')
    .option('--rate-limit <n>', 'messages per second to each endpoint', integer('--rate-limit'))
    .option('--metadata <key=value>', 'metadata entry (repeatable)', keyValue('--metadata'));

/** `hookline app list|get|create|update|delete`. */
export function registerApps(program: Command): void {
  const app = program.command('app').description('manage applications (the tenants messages are sent for)');

  app
    .command('list')
    .description('list applications')
    .option('--limit <n>', 'at most this many (up to 250)', integer('--limit', 1, 250))
    .option('--iterator <it>', 'continue a previous list')
    .action(async (o: { limit?: number; iterator?: string }, cmd: Command) => {
      const page = await clientFor(cmd).request<{ data: AppOut[]; done: boolean; iterator: string | null }>(
        'GET',
        '/api/v1/app',
        { query: { limit: o.limit, iterator: o.iterator } },
      );
      printList(cmd, page, COLUMNS, 'no applications');
    });

  app
    .command('get')
    .description('show one application')
    .argument('<app>', 'application id or uid')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const a = await clientFor(cmd).request<AppOut>('GET', `/api/v1/app/${enc(id)}`);
      printRecord(cmd, a, pairs(a));
    });

  fieldOptions(
    app
      .command('create')
      .description('create an application')
      .requiredOption('--name <name>', 'display name'),
  )
    .option('--get-if-exists', 'return the application with this --uid if it exists instead of failing')
    .action(async (o: AppFlags & { getIfExists?: boolean }, cmd: Command) => {
      const a = await clientFor(cmd).request<AppOut>('POST', '/api/v1/app', {
        query: { get_if_exists: o.getIfExists ? true : undefined },
        body: appBody(o),
      });
      printDone(cmd, a, `application ${a.id}${a.uid ? ` (${a.uid})` : ''}: ${a.name}`);
    });

  fieldOptions(
    app
      .command('update')
      .description('change an application (only the fields given)')
      .argument('<app>', 'application id or uid')
      .option('--name <name>', 'display name'),
  ).action(async (id: string, o: AppFlags, cmd: Command) => {
    const a = await clientFor(cmd).request<AppOut>('PATCH', `/api/v1/app/${enc(id)}`, { body: appBody(o) });
    printDone(cmd, a, `updated application ${a.id}`);
  });

  app
    .command('delete')
    .description('delete an application with its endpoints and messages')
    .argument('<app>', 'application id or uid')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await clientFor(cmd).request('DELETE', `/api/v1/app/${enc(id)}`);
      printDone(cmd, { deleted: id }, `deleted application ${id}`);
    });
}
