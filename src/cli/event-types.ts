import type { Command } from 'commander';
import { clientFor } from './client.js';
import { enc, integer, jsonArgument } from './flags.js';
import { type Column, printDone, printList, printRecord } from './output.js';

export interface EventTypeOut {
  name: string;
  description: string;
  archived: boolean;
  deprecated: boolean;
  schemas?: Record<string, unknown> | null;
  featureFlag: string | null;
  groupName: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS: Column<EventTypeOut>[] = [
  ['name', (t) => t.name],
  ['description', (t) => t.description],
  ['state', (t) => (t.archived ? 'archived' : t.deprecated ? 'deprecated' : 'active')],
  ['group', (t) => t.groupName],
];

interface Flags {
  description?: string;
  schema?: string;
  deprecated?: boolean;
  archived?: boolean;
  featureFlag?: string;
  groupName?: string;
}

function body(o: Flags): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (o.description !== undefined) b.description = o.description;
  // One JSON schema for version 1, as Svix's dashboard writes it; `examples` in it feed `hookline trigger`.
  if (o.schema !== undefined) b.schemas = { '1': jsonArgument('--schema', o.schema).value };
  if (o.deprecated !== undefined) b.deprecated = o.deprecated;
  if (o.archived !== undefined) b.archived = o.archived;
  if (o.featureFlag !== undefined) b.featureFlag = o.featureFlag;
  if (o.groupName !== undefined) b.groupName = o.groupName;
  return b;
}

const fields = (cmd: Command) =>
  cmd
    .option('--schema <json|@file>', 'JSON schema of the payload (with `examples` for `hookline trigger`)')
    .option('--deprecated', 'mark as deprecated')
    .option('--feature-flag <flag>', 'feature flag')
    .option('--group-name <group>', 'group name');

/** `hookline event-type list|get|create|update|delete`. */
export function registerEventTypes(program: Command): void {
  const et = program.command('event-type').description('manage the catalogue of event types');

  et.command('list')
    .description('list event types')
    .option('--include-archived', 'also archived ones')
    .option('--limit <n>', 'at most this many (up to 250)', integer('--limit', 1, 250))
    .option('--iterator <it>', 'continue a previous list')
    .action(async (o: { includeArchived?: boolean; limit?: number; iterator?: string }, cmd: Command) => {
      const page = await clientFor(cmd).request<{ data: EventTypeOut[]; done: boolean; iterator: string }>(
        'GET',
        '/api/v1/event-type',
        { query: { include_archived: o.includeArchived, limit: o.limit, iterator: o.iterator } },
      );
      printList(cmd, page, COLUMNS, 'no event types');
    });

  et.command('get')
    .description('show one event type with its schema')
    .argument('<name>', 'event type name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const t = await clientFor(cmd).request<EventTypeOut>('GET', `/api/v1/event-type/${enc(name)}`);
      printRecord(cmd, t, [
        ['name', t.name],
        ['description', t.description],
        ['archived', t.archived ? 'yes' : 'no'],
        ['deprecated', t.deprecated ? 'yes' : 'no'],
        ['feature flag', t.featureFlag],
        ['group', t.groupName],
        ['schemas', t.schemas],
        ['created', t.createdAt],
      ]);
    });

  fields(
    et.command('create').description('create an event type').argument('<name>', 'e.g. payment.succeeded'),
  )
    .requiredOption('--description <text>', 'what the event means')
    .action(async (name: string, o: Flags, cmd: Command) => {
      const t = await clientFor(cmd).request<EventTypeOut>('POST', '/api/v1/event-type', {
        body: { name, ...body(o) },
      });
      printDone(cmd, t, `created event type ${t.name}`);
    });

  fields(et.command('update').description('change an event type (only the fields given)').argument('<name>'))
    .option('--description <text>', 'what the event means')
    .option('--archived', 'archive it')
    .action(async (name: string, o: Flags, cmd: Command) => {
      const t = await clientFor(cmd).request<EventTypeOut>('PATCH', `/api/v1/event-type/${enc(name)}`, {
        body: body(o),
      });
      printDone(cmd, t, `updated event type ${t.name}`);
    });

  et.command('delete')
    .description('archive an event type (--expunge deletes it)')
    .argument('<name>')
    .option('--expunge', 'delete it for good instead of archiving')
    .action(async (name: string, o: { expunge?: boolean }, cmd: Command) => {
      await clientFor(cmd).request('DELETE', `/api/v1/event-type/${enc(name)}`, {
        query: { expunge: o.expunge ? true : undefined },
      });
      printDone(cmd, { deleted: name }, `${o.expunge ? 'deleted' : 'archived'} event type ${name}`);
    });
}
