/**
 * `npm run bench:backlog`: does the server's memory grow with the number of
 * deliveries waiting? RSS of the Hookline processes with `--sizes` (100,000
 * and 300,000; the full run 100,000 and 1,000,000) deliveries pending and
 * due, spread over `--endpoints` (10) endpoints at the bench's receiver.
 * (README, Performance, Cost as the work grows.) Target: flat within 10%.
 *
 * Per backend and size, on a fresh database: the application and endpoints
 * through the API, the backlog straight into the database (loader.ts), then
 * Hookline starts (SQLite: one process; PostgreSQL: an API process and one
 * worker) and works through it for `--seconds`; RSS of each process is
 * sampled every 500 ms. Reported: RSS at the end and the peak (VmHWM), and how
 * many were delivered meanwhile (the rest still waiting). Prints a table,
 * then one JSON line.
 */
import { parseArgs } from 'node:util';
import { appWithEndpoints, type Backend, benchDb, DEFAULT_PG, machine, type Proc, rssOf } from './cluster.js';
import { now, type Receiver, sleep, startReceiver } from './util.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    sizes: { type: 'string', default: '100000,300000' },
    endpoints: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    postgres: { type: 'string', default: DEFAULT_PG },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const ENDPOINTS = Number(args.endpoints);
const SECONDS = Number(args.seconds);
const TOLERANCE = 0.1;

interface Point {
  waiting: number;
  loadSeconds: number;
  rssMb: number;
  peakRssMb: number;
  meanRssMb: number;
  delivered: number;
  deliveredPerSec: number;
}

async function point(backend: Backend, size: number, receiver: Receiver): Promise<Point> {
  const db = await benchDb(backend, 'backlog', args.postgres);
  const procs: Proc[] = [];
  try {
    const setup = await db.serve('all');
    const target = await appWithEndpoints(
      setup.url,
      ENDPOINTS,
      (i) => `http://127.0.0.1:${receiver.port}/backlog/${i}`,
    );
    await setup.stop();
    let t = now();
    await db.load(
      { ...target, url: '' },
      {
        kind: 'backlog',
        rows: size,
        fromMs: Date.now() - 3_600_000,
        onProgress: (done) => process.stderr.write(`\r${backend} backlog ${done} rows   `),
      },
    );
    process.stderr.write('\n');
    const loadSeconds = (now() - t) / 1000;
    await receiver.ask('reset');
    if (backend === 'sqlite') procs.push(await db.serve('all'));
    else procs.push(await db.serve('api'), await db.serve('worker'));
    t = now();
    const samples: number[] = [];
    while (now() - t < SECONDS * 1000) {
      await sleep(500);
      samples.push(rssOf(procs).rssMb);
    }
    const { total } = await receiver.ask<{ total: number }>('count');
    const mem = rssOf(procs);
    return {
      waiting: size,
      loadSeconds: round(loadSeconds),
      rssMb: Math.round(mem.rssMb),
      peakRssMb: Math.round(mem.peakRssMb),
      meanRssMb: Math.round(samples.reduce((a, b) => a + b, 0) / samples.length),
      delivered: total,
      deliveredPerSec: Math.round(total / SECONDS),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db.drop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  console.log(`backlog bench, ${machine()}`);
  const receiver = await startReceiver();
  const out: Record<string, unknown> = {};
  try {
    for (const backend of args.backends.split(',') as Backend[]) {
      const points: Point[] = [];
      for (const size of SIZES) {
        const p = await point(backend, size, receiver);
        points.push(p);
        console.log(
          `${backend.padEnd(8)} ${String(size).padStart(9)} waiting  RSS ${p.rssMb} MB at the end, mean ` +
            `${p.meanRssMb} MB, peak ${p.peakRssMb} MB (largest process); ${p.delivered} delivered in ` +
            `${SECONDS} s (${p.deliveredPerSec}/s); backlog loaded in ${p.loadSeconds} s`,
        );
      }
      const base = points[0]!;
      const met = points.every((p) => p.peakRssMb <= base.peakRssMb * (1 + TOLERANCE));
      out[backend] = { points, met };
    }
  } finally {
    receiver.close();
  }
  console.log(
    JSON.stringify({
      bench: 'backlog',
      machine: machine(),
      endpoints: ENDPOINTS,
      seconds: SECONDS,
      tolerance: TOLERANCE,
      ...out,
    }),
  );
}

await main();
