/**
 * `npm run bench:steady [-- --backend postgres --rate 500 --seconds 10]`:
 * latency at a steady rate, one endpoint, after a 2 s warm-up (connection
 * pools filled, statements planned, code compiled). Hookline runs as in
 * production: one process on SQLite, an API and a worker process on
 * PostgreSQL. Messages go out every 1/rate s whatever the answers' pace; the
 * API call (accept) and accept-to-delivery are timed per message, delivery
 * at a receiver in this process. Prints one JSON line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { appWithEndpoints, BENCH_TOKEN, type Backend, benchDb, DEFAULT_PG } from './cluster.js';
import { apiClient, now, percentile, sleep } from './util.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'postgres' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    postgres: { type: 'string', default: DEFAULT_PG },
  },
});
const RATE = Number(args.rate);
const WARM_UP_MS = 2000;

// webhook-id is the message id: when each one arrived.
const arrivals = new Map<string, number>();
const receiver = createServer((req, res) => {
  const id = String(req.headers['webhook-id']);
  req.resume();
  req.on('end', () => {
    arrivals.set(id, now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverPort = (receiver.address() as AddressInfo).port;

const db = await benchDb(args.backend as Backend, 'steady', args.postgres);
const procs =
  db.backend === 'postgres' ? [await db.serve('api'), await db.serve('worker')] : [await db.serve('all')];
const { appId: app } = await appWithEndpoints(procs[0]!.url, 1, () => `http://127.0.0.1:${receiverPort}/`);
const api = apiClient(procs[0]!.url, BENCH_TOKEN, 32);

/** Sends at RATE for `ms`; resolves to each message's send time and accept duration once all are answered. */
async function sendFor(ms: number) {
  const sent: { id: string; at: number; acceptMs: number }[] = [];
  const calls: Promise<void>[] = [];
  const start = now();
  for (let i = 0; now() - start < ms; i++) {
    const at = now();
    calls.push(
      api
        .call('POST', `/api/v1/app/${app}/msg`, { eventType: 'steady.test', payload: { i } })
        .then((m) => void sent.push({ id: m.id as string, at, acceptMs: now() - at })),
    );
    await sleep(Math.max(0, start + ((i + 1) * 1000) / RATE - now()));
  }
  await Promise.all(calls);
  return sent;
}

await sendFor(WARM_UP_MS);
const measured = await sendFor(Number(args.seconds) * 1000);
const deadline = now() + 30_000;
while (measured.some((m) => !arrivals.has(m.id)) && now() < deadline) await sleep(50);

const sorted = (values: number[]) => values.sort((a, b) => a - b);
const accept = sorted(measured.map((m) => m.acceptMs));
const delivered = sorted(measured.filter((m) => arrivals.has(m.id)).map((m) => arrivals.get(m.id)! - m.at));
const round = (v: number) => Math.round(v * 10) / 10;
const result = {
  backend: args.backend,
  rate: RATE,
  messages: measured.length,
  delivered: delivered.length,
  acceptP50Ms: round(percentile(accept, 50)),
  acceptP99Ms: round(percentile(accept, 99)),
  deliveryP50Ms: round(percentile(delivered, 50)),
  deliveryP99Ms: round(percentile(delivered, 99)),
};
console.log(
  `${args.backend} at ${RATE}/s: accept p50 ${result.acceptP50Ms} / p99 ${result.acceptP99Ms} ms, ` +
    `accept-to-delivery p50 ${result.deliveryP50Ms} / p99 ${result.deliveryP99Ms} ms ` +
    `(${result.delivered} of ${result.messages} delivered)`,
);
console.log(JSON.stringify(result));

await api.close();
for (const p of procs) await p.stop();
receiver.close();
await db.drop();
