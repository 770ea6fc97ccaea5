/**
 * `npm run bench:fanout`: one message to an application with `--endpoints`
 * (10,000) endpoints, then `--messages` such messages. (README, Performance,
 * Cost as the work grows.)
 *
 * The endpoints are created through the API, each at its own path on the
 * bench's receiver (`/ep/<i>`), so they are distinct endpoints with one
 * receiving process. Per backend (SQLite: one process; PostgreSQL: an API
 * process and `--workers` worker processes), on a fresh database:
 *   one message: the accept (the API call, which stores the message and one
 *     delivery per endpoint), the time from the call to the last delivery
 *     reaching the receiver, peak RSS of the Hookline processes;
 *   many: `--messages` messages, `--clients` API calls at a time; accept
 *     p50/p99 and rate, then deliveries until all arrived or `--drain-seconds`
 *     after the first call (a bounded run says how many arrived, the rate and
 *     the time the rest would take at that rate), peak RSS.
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
  type Proc,
  rssOf,
} from './cluster.js';
import { apiClient, now, percentile, type Receiver, sleep, startReceiver } from './util.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    endpoints: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    'drain-seconds': { type: 'string', default: '120' },
    workers: { type: 'string', default: '1' },
    postgres: { type: 'string', default: DEFAULT_PG },
  },
});
const ENDPOINTS = Number(args.endpoints);
const MESSAGES = Number(args.messages);
const CLIENTS = Number(args.clients);
const DRAIN_MS = Number(args['drain-seconds']) * 1000;
const WORKERS = Number(args.workers);

interface Count {
  total: number;
  lastAt: number;
}

/** Waits until the receiver has `expected` requests or `deadline` passes; the count at the end. */
async function delivered(receiver: Receiver, expected: number, deadline: number): Promise<Count> {
  for (;;) {
    const c = await receiver.ask<Count>('count');
    if (c.total >= expected || now() > deadline) return c;
    await sleep(50);
  }
}

async function run(backend: Backend, receiver: Receiver) {
  const db = await benchDb(backend, 'fanout', args.postgres);
  const procs: Proc[] = [];
  try {
    if (backend === 'sqlite') procs.push(await db.serve('all'));
    else {
      procs.push(await db.serve('api'));
      for (let i = 0; i < WORKERS; i++) procs.push(await db.serve('worker'));
    }
    const apiUrl = procs[0]!.url;
    let t = now();
    const { appId } = await appWithEndpoints(
      apiUrl,
      ENDPOINTS,
      (i) => `http://127.0.0.1:${receiver.port}/ep/${i}`,
    );
    const setupSeconds = (now() - t) / 1000;
    const api = apiClient(apiUrl, BENCH_TOKEN, CLIENTS);
    const send = (i: number) =>
      api.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } });
    try {
      // One message.
      await receiver.ask('reset');
      const rssBefore = rssOf(procs).rssMb;
      t = now();
      await send(0);
      const oneAcceptMs = now() - t;
      const one = await delivered(receiver, ENDPOINTS, t + DRAIN_MS);
      const single = {
        acceptMs: round(oneAcceptMs),
        lastDeliveryMs: round(one.lastAt - t),
        delivered: one.total,
        rssBeforeMb: Math.round(rssBefore),
        peakRssMb: Math.round(rssOf(procs).peakRssMb),
      };
      console.log(
        `${backend.padEnd(8)} 1 message x ${ENDPOINTS} endpoints: accept ${single.acceptMs} ms, last delivery ` +
          `${single.lastDeliveryMs} ms after the call (${one.total} delivered), RSS ${single.rssBeforeMb} MB ` +
          `before, peak ${single.peakRssMb} MB (endpoints created in ${setupSeconds.toFixed(0)} s)`,
      );
      await sleep(1000);

      // Many messages.
      await receiver.ask('reset');
      const expected = MESSAGES * ENDPOINTS;
      const acceptMs: number[] = [];
      t = now();
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CLIENTS, MESSAGES) }, async () => {
          while (next < MESSAGES) {
            const i = next++;
            const t0 = now();
            await send(i + 1);
            acceptMs.push(now() - t0);
          }
        }),
      );
      const acceptSeconds = (now() - t) / 1000;
      acceptMs.sort((a, b) => a - b);
      const many = await delivered(receiver, expected, t + Math.max(DRAIN_MS, acceptSeconds * 1000));
      const complete = many.total >= expected;
      const elapsedS = ((complete ? many.lastAt : now()) - t) / 1000;
      const perSec = many.total / elapsedS;
      const result = {
        messages: MESSAGES,
        deliveries: expected,
        acceptP50Ms: round(percentile(acceptMs, 50)),
        acceptP99Ms: round(percentile(acceptMs, 99)),
        acceptedPerSec: round(MESSAGES / acceptSeconds),
        acceptSeconds: round(acceptSeconds),
        delivered: many.total,
        complete,
        deliveriesPerSec: Math.round(perSec),
        lastDeliverySeconds: complete ? round(elapsedS) : null,
        projectedSeconds: complete ? round(elapsedS) : round(elapsedS + (expected - many.total) / perSec),
        peakRssMb: Math.round(rssOf(procs).peakRssMb),
        dbMb: Math.round((await db.sizeBytes()).total / 1048576),
      };
      console.log(
        `${backend.padEnd(8)} ${MESSAGES} messages x ${ENDPOINTS}: accept p50 ${result.acceptP50Ms} ms, p99 ` +
          `${result.acceptP99Ms} ms (${result.acceptedPerSec} msg/s, all accepted in ${result.acceptSeconds} s); ` +
          `${many.total} of ${expected} delivered at ${result.deliveriesPerSec}/s` +
          (complete
            ? `, the last ${result.lastDeliverySeconds} s after the first call`
            : ` when the run stopped (${round(elapsedS)} s; all would take about ${result.projectedSeconds} s)`) +
          `; peak RSS ${result.peakRssMb} MB, database ${result.dbMb} MB`,
      );
      return { endpoints: ENDPOINTS, endpointSetupSeconds: round(setupSeconds), single, many: result };
    } finally {
      await api.close();
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db.drop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  console.log(`fan-out bench, ${machine()}`);
  const receiver = await startReceiver();
  const out: Record<string, unknown> = {};
  try {
    for (const backend of args.backends.split(',') as Backend[]) out[backend] = await run(backend, receiver);
  } finally {
    receiver.close();
  }
  console.log(
    JSON.stringify({
      bench: 'fanout',
      machine: machine(),
      postgresWorkers: WORKERS,
      clients: CLIENTS,
      drainSeconds: DRAIN_MS / 1000,
      ...out,
    }),
  );
}

await main();
