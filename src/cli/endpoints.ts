import type { Command } from 'commander';
import { type ApiClient, clientFor } from './client.js';
import {
  type EndpointFlags,
  type EndpointOut,
  endpointBody,
  endpointFieldOptions,
} from './endpoint-fields.js';
import { failure } from './errors.js';
import { appOf, enc, integer, pastTime } from './flags.js';
import { type Column, details, printDone, printJson, printList, printRecord, wantsJson } from './output.js';

const COLUMNS: Column<EndpointOut>[] = [
  ['id', (e) => e.id],
  ['uid', (e) => e.uid],
  ['url', (e) => e.url],
  ['types', (e) => e.filterTypes ?? 'all'],
  ['state', (e) => (e.disabled ? 'disabled' : 'enabled')],
];

const pairs = (e: EndpointOut): [string, unknown][] => [
  ['id', e.id],
  ['uid', e.uid],
  ['url', e.url],
  ['description', e.description],
  ['version', e.version],
  ['event types', e.filterTypes ?? 'all'],
  ['channels', e.channels ?? 'all'],
  ['rate limit', e.rateLimit === null ? null : `${e.rateLimit}/s`],
  ['max in flight', e.maxInFlight],
  ['ordered', e.ordered ? 'yes' : 'no'],
  ['state', e.disabled ? `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}` : 'enabled'],
  ['metadata', Object.keys(e.metadata).length ? e.metadata : null],
  ['created', e.createdAt],
  ['updated', e.updatedAt],
];

const path = (app: string, ep?: string) => `/api/v1/app/${enc(app)}/endpoint${ep ? `/${enc(ep)}` : ''}`;

type AppOption = { app?: string };
const withApp = (cmd: Command) => cmd.option('--app <app>', 'application id or uid [HOOKLINE_APP]');

async function setDisabled(client: ApiClient, app: string, ep: string, disabled: boolean) {
  return client.request<EndpointOut>('PATCH', path(app, ep), { body: { disabled } });
}

/** Create, or with --get-if-exists return the endpoint that already has this --uid. */
async function create(
  client: ApiClient,
  app: string,
  o: EndpointFlags & { url: string; getIfExists?: boolean },
) {
  if (o.getIfExists) {
    if (!o.uid) throw failure('--get-if-exists needs --uid to know which endpoint to look for');
    const existing = await client.request<EndpointOut>('GET', path(app, o.uid)).catch(() => null);
    if (existing) return { endpoint: existing, created: false };
  }
  const endpoint = await client.request<EndpointOut>('POST', path(app), {
    body: { ...endpointBody(o), ...(o.header ? { headers: o.header } : {}) },
  });
  return { endpoint, created: true };
}

/** `hookline endpoint ...`: CRUD plus secret, rotate, stats, enable, disable. */
export function registerEndpoints(program: Command): void {
  const ep = program.command('endpoint').description("manage an application's webhook endpoints");

  withApp(ep.command('list').description('list the endpoints of an application'))
    .option('--limit <n>', 'at most this many (up to 250)', integer('--limit', 1, 250))
    .option('--iterator <it>', 'continue a previous list')
    .action(async (o: AppOption & { limit?: number; iterator?: string }, cmd: Command) => {
      const page = await clientFor(cmd).request<{ data: EndpointOut[]; done: boolean; iterator: string }>(
        'GET',
        path(appOf(o)),
        { query: { limit: o.limit, iterator: o.iterator } },
      );
      printList(cmd, page, COLUMNS, 'no endpoints');
    });

  withApp(
    ep.command('get').description('show one endpoint').argument('<endpoint>', 'endpoint id or uid'),
  ).action(async (id: string, o: AppOption, cmd: Command) => {
    const e = await clientFor(cmd).request<EndpointOut>('GET', path(appOf(o), id));
    printRecord(cmd, e, pairs(e));
  });

  endpointFieldOptions(
    withApp(ep.command('create').description('create an endpoint')).requiredOption(
      '--url <url>',
      'where deliveries are POSTed',
    ),
    'create',
  )
    .option('--get-if-exists', 'return the endpoint with this --uid if it exists instead of failing')
    .action(async (o: AppOption & EndpointFlags & { url: string; getIfExists?: boolean }, cmd: Command) => {
      const { endpoint: e, created } = await create(clientFor(cmd), appOf(o), o);
      printDone(
        cmd,
        e,
        `${created ? 'created' : 'exists:'} endpoint ${e.id}${e.uid ? ` (${e.uid})` : ''} -> ${e.url}`,
      );
    });

  endpointFieldOptions(
    withApp(ep.command('update').description('change an endpoint (only the fields given)')).argument(
      '<endpoint>',
      'endpoint id or uid',
    ),
    'update',
  ).action(async (id: string, o: AppOption & EndpointFlags & { enabled?: boolean }, cmd: Command) => {
    const client = clientFor(cmd);
    const app = appOf(o);
    const e = await client.request<EndpointOut>('PATCH', path(app, id), { body: endpointBody(o) });
    // Custom headers have their own route; a PATCH there merges, as --header suggests.
    if (o.header)
      await client.request('PATCH', `${path(app, e.id)}/headers`, { body: { headers: o.header } });
    printDone(cmd, e, `updated endpoint ${e.id}`);
  });

  withApp(
    ep.command('delete').description('delete an endpoint').argument('<endpoint>', 'endpoint id or uid'),
  ).action(async (id: string, o: AppOption, cmd: Command) => {
    await clientFor(cmd).request('DELETE', path(appOf(o), id));
    printDone(cmd, { deleted: id }, `deleted endpoint ${id}`);
  });

  for (const [name, disabled] of [
    ['enable', false],
    ['disable', true],
  ] as const) {
    withApp(
      ep
        .command(name)
        .description(
          disabled ? 'disable: deliveries wait until enabled' : 'enable: waiting deliveries are sent',
        )
        .argument('<endpoint>', 'endpoint id or uid'),
    ).action(async (id: string, o: AppOption, cmd: Command) => {
      const e = await setDisabled(clientFor(cmd), appOf(o), id, disabled);
      printDone(cmd, e, `${disabled ? 'disabled' : 'enabled'} endpoint ${e.id}`);
    });
  }

  withApp(
    ep
      .command('secret')
      .description("print the endpoint's signing secret")
      .argument('<endpoint>', 'endpoint id or uid'),
  ).action(async (id: string, o: AppOption, cmd: Command) => {
    const s = await clientFor(cmd).request<{ key: string; publicKey: string | null }>(
      'GET',
      `${path(appOf(o), id)}/secret`,
    );
    // Asked for explicitly, so printed: the secret is what this command is for.
    if (wantsJson(cmd)) printJson(s);
    else
      process.stdout.write(
        s.publicKey
          ? details([
              ['secret key', s.key],
              ['public key', s.publicKey],
            ])
          : `${s.key}\n`,
      );
  });

  withApp(
    ep
      .command('rotate')
      .description('rotate the signing secret; the old one keeps signing for the grace period')
      .argument('<endpoint>', 'endpoint id or uid')
      .option('--grace <seconds>', 'how long the old secret keeps signing', integer('--grace', 0, 604_800))
      .option('--key <secret>', 'the new secret (default: generated)'),
  ).action(async (id: string, o: AppOption & { grace?: number; key?: string }, cmd: Command) => {
    const body: Record<string, unknown> = {};
    if (o.grace !== undefined) body.gracePeriodSeconds = o.grace;
    if (o.key !== undefined) body.key = o.key;
    await clientFor(cmd).request('POST', `${path(appOf(o), id)}/secret/rotate`, { body });
    printDone(
      cmd,
      { rotated: id },
      `rotated the secret of endpoint ${id} (\`hookline endpoint secret\` shows the new one)`,
    );
  });

  withApp(
    ep
      .command('stats')
      .description('deliveries to the endpoint by status')
      .argument('<endpoint>', 'endpoint id or uid')
      .option('--since <when>', 'only messages since (2h, 3d or an ISO time)'),
  ).action(async (id: string, o: AppOption & { since?: string }, cmd: Command) => {
    const since = o.since === undefined ? undefined : pastTime('--since', o.since).toISOString();
    type Breaker = {
      open: boolean;
      nextProbeAt: string | null;
      consecutiveFailures: number;
      failingSince: string | null;
    };
    const s = await clientFor(cmd).request<Record<string, number> & { breaker?: Breaker }>(
      'GET',
      `${path(appOf(o), id)}/stats`,
      { query: { since } },
    );
    const b = s.breaker;
    printRecord(cmd, s, [
      ['success', s.success],
      ['pending', s.pending],
      ['sending', s.sending],
      ['failed', s.fail],
      ['canceled', s.canceled],
      ['breaker', b ? (b.open ? `open, next probe ${b.nextProbeAt ?? 'now'}` : 'closed') : '-'],
      ['failing', b?.failingSince ? `since ${b.failingSince}, ${b.consecutiveFailures} in a row` : 'no'],
    ]);
  });
}
