/**
 * `npm run bench:growth`: does a large history slow the hot path? Accept p99
 * and drain rate with `--sizes` (0 and 100,000; the full run 0, 1,000,000 and
 * 10,000,000) stored messages, each with a finished delivery and one attempt.
 * (README, Performance, Cost as the work grows.) Target: within 20% of the
 * empty database.
 *
 * Per backend, on one database that grows: the history is loaded straight
 * into the database between measurements (loader.ts: prepared statements on
 * SQLite, INSERT ... SELECT generate_series on PostgreSQL), into an
 * application of its own with 10 endpoints; the measured application has one
 * endpoint at the bench's receiver. At each size, with an API-only process
 * (`--role api`, so nothing is delivered meanwhile):
 *   accept: `--rate` messages/s for `--seconds`, the latency of each API call;
 *   backlog: `--backlog` more messages, `--clients` calls at a time;
 * then delivery alone, the drain: on SQLite the API process is replaced by a
 * full one, on PostgreSQL `--workers` worker processes start; deliveries/s
 * until the receiver has every message accepted at this size.
 * Prints a table, then one JSON line.
 */
import { parseArgs } from 'node:util';
import {
  appWithEndpoints,
  type Backend,
  BENCH_TOKEN,
  benchDb,
  DEFAULT_PG,
  machine,
  mb,
  type Proc,
} from './cluster.js';
import { GATED } from '../src/store/postgres/gated.js';
import { apiClient, now, percentile, type Receiver, sleep, startReceiver, waitFor } from './util.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    sizes: { type: 'string', default: '0,100000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    // Measurements per size; each figure is their median (the machine's noise moves a single p99 by 2x).
    repeat: { type: 'string', default: '1' },
    // PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the claim's selection of due rows, with the backlog waiting.
    explain: { type: 'boolean', default: false },
    // PostgreSQL: VACUUM (ANALYZE) before each measurement, standing in for autovacuum where the server has it off.
    vacuum: { type: 'boolean', default: false },
    backlog: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '32' },
    workers: { type: 'string', default: '1' },
    postgres: { type: 'string', default: DEFAULT_PG },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const BACKLOG = Number(args.backlog);
const CLIENTS = Number(args.clients);
const WORKERS = Number(args.workers);
const REPEAT = Number(args.repeat);
const TOLERANCE = 0.2;

interface Point {
  size: number;
  loadSeconds: number;
  dbMb: number;
  acceptP50Ms: number;
  acceptP99Ms: number;
  acceptedPerSec: number;
  drainPerSec: number;
  /** Each measurement at this size; the figures above are their medians. */
  runs: { acceptP50Ms: number; acceptP99Ms: number; acceptedPerSec: number; drainPerSec: number }[];
}

async function measure(
  backend: Backend,
  db: Awaited<ReturnType<typeof benchDb>>,
  appId: string,
  receiver: Receiver,
): Promise<Point['runs'][number]> {
  if (args.vacuum) await db.vacuum();
  const procs: Proc[] = [await db.serve('api')];
  try {
    const api = apiClient(procs[0]!.url, BENCH_TOKEN, CLIENTS);
    const send = (i: number) =>
      api.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } });
    let sent = 0;
    try {
      // Warm-up: JIT, connections, caches.
      for (let i = 0; i < 200; i++) await send(i);
      sent += 200;
      // Accept at a steady rate, each call's latency.
      const latencies: number[] = [];
      const inFlight: Promise<unknown>[] = [];
      const start = now();
      const count = RATE * SECONDS;
      for (let i = 0; i < count; i++) {
        const t0 = now();
        inFlight.push(send(i).then(() => latencies.push(now() - t0)));
        await sleep(Math.max(0, start + ((i + 1) * 1000) / RATE - now()));
      }
      await Promise.all(inFlight);
      sent += count;
      latencies.sort((a, b) => a - b);
      // A backlog, as fast as the API takes it.
      const t = now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < BACKLOG) await send(next++);
        }),
      );
      const acceptedPerSec = BACKLOG / ((now() - t) / 1000);
      sent += BACKLOG;
      if (args.explain && backend === 'postgres') await explainClaim(db);
      // Delivery alone.
      await receiver.ask('reset');
      if (backend === 'sqlite') {
        await procs.shift()!.stop();
        procs.push(await db.serve('all'));
      } else for (let i = 0; i < WORKERS; i++) procs.push(await db.serve('worker'));
      await waitFor(
        async () => (await receiver.ask<{ total: number }>('count')).total >= sent,
        600_000,
        `${sent} deliveries`,
      );
      // From the first delivery to the last: not the process start.
      const { lastAt } = await receiver.ask<{ lastAt: number }>('count');
      const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
      const firstAt = Math.min(...arrivals.map(([, at]) => at));
      return {
        acceptP50Ms: round(percentile(latencies, 50)),
        acceptP99Ms: round(percentile(latencies, 99)),
        acceptedPerSec: Math.round(acceptedPerSec),
        drainPerSec: Math.round((sent - 1) / ((lastAt - firstAt) / 1000)),
      };
    } finally {
      await api.close();
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/**
 * The plain claim's selection of due rows (src/store/postgres/queue.ts
 * CLAIM_DUE, its `due` part) as the worker runs it, 64 rows, in a
 * transaction rolled back.
 */
async function explainClaim(db: Awaited<ReturnType<typeof benchDb>>) {
  const rows = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
     SELECT d.id, d.due_at FROM deliveries d
     WHERE d.due_at <= now() AND NOT d.parked
       AND NOT (SELECT e.disabled OR ${GATED} FROM endpoints e WHERE e.id = d.endpoint_id)
     ORDER BY d.due_at LIMIT 64 FOR UPDATE SKIP LOCKED`,
    [],
    true,
  );
  console.log(rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n'));
}

const round = (n: number) => Math.round(n * 10) / 10;

async function run(backend: Backend, receiver: Receiver) {
  const db = await benchDb(backend, 'growth', args.postgres);
  try {
    // The applications, through the API.
    const setup = await db.serve('all');
    const history = await appWithEndpoints(
      setup.url,
      10,
      (i) => `http://127.0.0.1:${receiver.port}/history/${i}`,
    );
    const bench = await appWithEndpoints(setup.url, 1, () => `http://127.0.0.1:${receiver.port}/`);
    await setup.stop();
    const fromMs = Date.now() - 30 * 86_400_000;
    const points: Point[] = [];
    let loaded = 0;
    for (const size of SIZES) {
      const t = now();
      if (size > loaded) {
        await db.load(
          { ...history, url: `http://127.0.0.1:${receiver.port}/history/0` },
          {
            kind: 'history',
            rows: size - loaded,
            fromMs: fromMs + Math.floor(loaded / 1000),
            onProgress: (done) => process.stderr.write(`\r${backend} history ${loaded + done} rows   `),
          },
        );
        process.stderr.write('\n');
        loaded = size;
      }
      const loadSeconds = (now() - t) / 1000;
      const dbMb = mb((await db.sizeBytes()).total);
      const runs: Awaited<ReturnType<typeof measure>>[] = [];
      for (let r = 0; r < REPEAT; r++) runs.push(await measure(backend, db, bench.appId, receiver));
      const median = (pick: (m: (typeof runs)[number]) => number) =>
        runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
      const p: Point = {
        size,
        loadSeconds: round(loadSeconds),
        dbMb,
        acceptP50Ms: median((m) => m.acceptP50Ms),
        acceptP99Ms: median((m) => m.acceptP99Ms),
        acceptedPerSec: median((m) => m.acceptedPerSec),
        drainPerSec: median((m) => m.drainPerSec),
        runs,
      };
      points.push(p);
      const base = points[0]!;
      console.log(
        `${backend.padEnd(8)} ${String(size).padStart(9)} stored  accept p50 ${p.acceptP50Ms} ms, p99 ` +
          `${p.acceptP99Ms} ms (${ratio(p.acceptP99Ms, base.acceptP99Ms)}); ${p.acceptedPerSec} accepted/s; ` +
          `drain ${p.drainPerSec}/s (${ratio(p.drainPerSec, base.drainPerSec)}); database ${dbMb} MB` +
          (size > 0 ? `, history loaded in ${p.loadSeconds} s` : ''),
      );
    }
    const base = points[0]!;
    const met = points.every(
      (p) =>
        p.acceptP99Ms <= base.acceptP99Ms * (1 + TOLERANCE) &&
        p.drainPerSec >= base.drainPerSec * (1 - TOLERANCE),
    );
    return {
      autovacuum: await db.autovacuum(),
      vacuumBeforeEach: args.vacuum && backend === 'postgres',
      points,
      met,
    };
  } finally {
    await db.drop();
  }
}

const ratio = (x: number, base: number) => `x${(x / base).toFixed(2)}`;

async function main() {
  console.log(`growth bench, ${machine()}`);
  const receiver = await startReceiver();
  const out: Record<string, unknown> = {};
  try {
    for (const backend of args.backends.split(',') as Backend[]) out[backend] = await run(backend, receiver);
  } finally {
    receiver.close();
  }
  console.log(
    JSON.stringify({
      bench: 'growth',
      machine: machine(),
      rate: RATE,
      seconds: SECONDS,
      backlog: BACKLOG,
      repeat: REPEAT,
      postgresWorkers: WORKERS,
      tolerance: TOLERANCE,
      ...out,
    }),
  );
}

await main();
