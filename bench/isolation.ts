/**
 * `npm run bench:isolation`: does one endpoint or one tenant hold up the
 * others, with the default configuration? (README, Isolation.)
 *
 * A healthy endpoint in its own app gets `--rate` messages/s; its
 * accept-to-first-attempt latency (the API call starting to the request
 * reaching the receiver) is measured while, in turn:
 *   a. a slow endpoint (answers 200 after 14.9 s) gets 10 messages/s;
 *   b. a never-answering endpoint has 1,000 deliveries pending;
 *   c. another app floods `--flood` messages (100,000) to a fast endpoint, 16
 *      API calls at a time (`--flood-clients`); the healthy endpoint is measured until the whole
 *      flood has been accepted;
 *   d. all three at once;
 *   e. another app's fan-out: `--fanout-messages` (100) messages, accepted
 *      before measuring, each to all `--fanout-endpoints` (1,000) fast endpoints
 *      of that app (100,000 deliveries, none over its endpoint's share).
 * Each scenario runs on a fresh database: SQLite (one process), then
 * PostgreSQL (one API and `--workers` worker processes). Prints a table, then
 * one JSON line with p50/p99 per scenario and backend, peak RSS and whether
 * the targets (p99 <= 50 ms in a, b, d; <= 100 ms in c and e) were met.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type Backend, BENCH_TOKEN, benchDb, DEFAULT_PG } from './cluster.js';
import { apiClient, memoryOf, now, percentile, type Receiver, sleep, startReceiver } from './util.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    scenarios: { type: 'string', default: 'a,b,c,d' },
    postgres: {
      type: 'string',
      default: DEFAULT_PG,
    },
    workers: { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    flood: { type: 'string', default: '100000' },
    'flood-clients': { type: 'string', default: '16' },
    'fanout-endpoints': { type: 'string', default: '1000' },
    'fanout-messages': { type: 'string', default: '100' },
    // Extra `serve` flags, e.g. "--endpoint-share 0" to see the run without fair sharing.
    'serve-args': { type: 'string', default: '' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const FLOOD = Number(args.flood);
const WORKERS = Number(args.workers);
const SERVE_ARGS = args['serve-args'].split(' ').filter(Boolean);
const FANOUT_ENDPOINTS = Number(args['fanout-endpoints']);
const FANOUT_MESSAGES = Number(args['fanout-messages']);
const TARGET_MS: Record<string, number> = { a: 50, b: 50, c: 100, d: 50, e: 100 };

/** An in-process receiver that answers after `delayMs`, or never (null). */
async function holdingReceiver(
  delayMs: number | null,
): Promise<{ url: string; close(): void; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    if (delayMs !== null) setTimeout(() => res.writeHead(200).end(), delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface Cluster {
  url: string;
  pids: number[];
  stop(): Promise<void>;
}

/** Hookline on `backend`: one process on SQLite; an API and WORKERS worker processes on PostgreSQL. */
async function startCluster(backend: Backend): Promise<Cluster> {
  const db = await benchDb(backend, 'isolation', args.postgres);
  const procs = [await db.serve(backend === 'sqlite' ? 'all' : 'api', SERVE_ARGS)];
  if (backend === 'postgres')
    for (let i = 0; i < WORKERS; i++) procs.push(await db.serve('worker', SERVE_ARGS));
  return {
    url: procs[0]!.url,
    pids: procs.map((p) => p.pid),
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop()));
      await db.drop();
    },
  };
}

/** Sends `perSec` messages a second until `stop()`, calling `send(i)` without waiting for the previous. */
function steady(perSec: number, send: (i: number) => Promise<unknown>) {
  let running = true;
  let i = 0;
  const errors: unknown[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const done = (async () => {
    const start = now();
    while (running) {
      const p = send(i++).catch((e: unknown) => errors.push(e));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      const next = start + (i * 1000) / perSec;
      await sleep(Math.max(0, next - now()));
    }
    await Promise.all(inFlight);
  })();
  return {
    errors,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

interface Row {
  backend: string;
  scenario: string;
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  peakRssMb: number;
  note: string;
}

async function scenario(backend: Backend, name: string, healthyReceiver: Receiver, floodReceiver: Receiver) {
  const cluster = await startCluster(backend);
  const slow = await holdingReceiver(14_900);
  const dead = await holdingReceiver(null);
  const api = apiClient(cluster.url, BENCH_TOKEN, 64);
  const background: { stop(): Promise<void> }[] = [];
  let note = '';
  try {
    const app = async (name: string) => (await api.call('POST', '/api/v1/app', { name })).id as string;
    const endpoint = (appId: string, url: string) =>
      api.call('POST', `/api/v1/app/${appId}/endpoint`, { url });
    const send = (appId: string, i: number) =>
      api.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } });

    const healthyApp = await app('healthy');
    await endpoint(healthyApp, `http://127.0.0.1:${healthyReceiver.port}/`);
    const uses = (s: string) => name === s || name === 'd';

    if (uses('b')) {
      const deadApp = await app('dead tenant');
      await endpoint(deadApp, dead.url);
      for (let i = 0; i < 1000; i++) await send(deadApp, i);
      note += 'b: 1,000 pending at a never-answering endpoint. ';
    }
    if (uses('a')) {
      const slowApp = await app('slow tenant');
      await endpoint(slowApp, slow.url);
      const load = steady(10, (i) => send(slowApp, i));
      background.push(load);
      await sleep(5000); // let the slow endpoint's attempts pile up before measuring
      note += 'a: 10 msg/s to a 14.9 s endpoint. ';
    }
    if (name === 'e') {
      const fanOutApp = await app('fan-out tenant');
      for (let e = 0; e < FANOUT_ENDPOINTS; e++)
        await endpoint(fanOutApp, `http://127.0.0.1:${floodReceiver.port}/?e=${e}`);
      for (let i = 0; i < FANOUT_MESSAGES; i++) await send(fanOutApp, i);
      note += `e: ${FANOUT_MESSAGES} messages to ${FANOUT_ENDPOINTS} endpoints of one app accepted first. `;
    }
    let flooded = 0;
    if (uses('c')) {
      const floodApp = await app('noisy tenant');
      await endpoint(floodApp, `http://127.0.0.1:${floodReceiver.port}/`);
      let next = 0;
      let running = true;
      const pump = Promise.all(
        Array.from({ length: Number(args['flood-clients']) }, async () => {
          while (running && next < FLOOD) {
            await send(floodApp, next++);
            flooded++;
          }
        }),
      );
      background.push({
        stop: async () => {
          running = false;
          await pump;
        },
      });
      await sleep(2000); // the flood is under way
    }

    await healthyReceiver.ask('reset');
    const sentAt = new Map<string, number>();
    const acceptMs: number[] = [];
    const healthy = steady(RATE, async () => {
      const t0 = now();
      const msg = await send(healthyApp, 0);
      acceptMs.push(now() - t0);
      sentAt.set(msg.id as string, t0);
    });
    await sleep(SECONDS * 1000);
    // The healthy endpoint is measured for as long as the whole flood takes to be accepted (at most 5 minutes).
    const floodDeadline = now() + 300_000;
    while (uses('c') && flooded < FLOOD && now() < floodDeadline) await sleep(500);
    await healthy.stop();
    await sleep(1000); // the last ones arrive
    const { arrivals } = await healthyReceiver.ask<{ arrivals: [string, number][] }>('arrivals');
    const latencies = arrivals
      .filter(([id]) => sentAt.has(id))
      .map(([id, at]) => at - sentAt.get(id)!)
      .sort((a, b) => a - b);
    acceptMs.sort((a, b) => a - b);
    // Where the time goes: the API call alone (accept) against accept-to-first-attempt.
    note += `accept alone p50 ${percentile(acceptMs, 50).toFixed(1)} ms, p99 ${percentile(acceptMs, 99).toFixed(1)} ms. `;
    const missing = sentAt.size - latencies.length;
    if (missing > 0) note += `${missing} healthy messages not delivered within 1 s of the end. `;
    if (uses('c')) {
      const { unique } = await floodReceiver.ask<{ unique: number }>('count');
      note += `c: ${flooded} flood messages accepted, ${unique} delivered while measured. `;
    }
    if (name === 'e') {
      const { total } = await floodReceiver.ask<{ total: number }>('count');
      note += `e: ${total} of ${FANOUT_MESSAGES * FANOUT_ENDPOINTS} fan-out deliveries made while measured. `;
    }
    const peakRssMb = Math.max(...cluster.pids.map((pid) => memoryOf(pid).peakRssMb));
    await Promise.all(background.splice(0).map((b) => b.stop()));
    return {
      backend,
      scenario: name,
      n: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      peakRssMb,
      note: note.trim(),
    } satisfies Row;
  } finally {
    await Promise.all(background.map((b) => b.stop().catch(() => {})));
    await api.close();
    slow.close();
    dead.close();
    await cluster.stop();
  }
}

async function main() {
  const healthyReceiver = await startReceiver();
  const floodReceiver = await startReceiver();
  const rows: Row[] = [];
  try {
    for (const backend of args.backends.split(',') as Backend[]) {
      for (const name of args.scenarios.split(',')) {
        await floodReceiver.ask('reset');
        const row = await scenario(backend, name, healthyReceiver, floodReceiver);
        rows.push(row);
        console.log(
          `${backend.padEnd(9)} ${name}  healthy accept-to-first-attempt p50 ${row.p50Ms.toFixed(1)} ms, ` +
            `p99 ${row.p99Ms.toFixed(1)} ms (target <= ${TARGET_MS[name]} ms), max ${row.maxMs.toFixed(1)} ms, ` +
            `n=${row.n}, peak RSS ${row.peakRssMb.toFixed(0)} MB. ${row.note}`,
        );
      }
    }
  } finally {
    healthyReceiver.close();
    floodReceiver.close();
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const r of rows) {
    result[r.backend] ??= {};
    result[r.backend]![r.scenario] = {
      p50Ms: Number(r.p50Ms.toFixed(1)),
      p99Ms: Number(r.p99Ms.toFixed(1)),
      maxMs: Number(r.maxMs.toFixed(1)),
      n: r.n,
      peakRssMb: Math.round(r.peakRssMb),
      met: r.p99Ms <= TARGET_MS[r.scenario]!,
    };
  }
  console.log(
    JSON.stringify({
      ...result,
      targetsP99Ms: TARGET_MS,
      serveArgs: SERVE_ARGS,
      postgresWorkers: WORKERS,
      allMet: rows.every((r) => r.p99Ms <= TARGET_MS[r.scenario]!),
    }),
  );
}

await main();
