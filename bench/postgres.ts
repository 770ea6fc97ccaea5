/**
 * `npm run bench:pg -- --database postgres://...`: Hookline on PostgreSQL with
 * one API process and 1, 2 and 4 worker processes, against the raw HTTP
 * ceiling measured in the same run on the same machine (DESIGN.md,
 * "Performance method").
 *
 * For each worker count, in a fresh schema:
 *  1. throughput: N messages through the API (closed loop) -> stored ->
 *     delivered -> attempt recorded; deliveries/s and the ratio to the ceiling
 *  2. latency: accept-to-delivery p50/p99 at a fixed offered load (500 msg/s)
 *  3. drain: a backlog accepted by the API alone, then delivered by the
 *     workers alone: what the queue and the workers sustain without the API
 *  4. SQL statements per delivery in each phase: transactions committed in
 *     a scratch database only this run uses (every hot-path operation is one
 *     statement in its own implicit transaction), read after the processes
 *     exited so their statistics are flushed.
 *
 * The run creates that scratch database on the server `--database` names (and
 * drops it after); without the privilege to, it falls back to a schema in the
 * given database, and statement counts then include whatever else runs there.
 *
 * Prints a table, then one line of JSON for scripts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  apiClient,
  inParallel,
  measureCeiling,
  now,
  percentile,
  type Receiver,
  sleep,
  startHookline,
  startReceiver,
} from './util.js';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: process.env.HOOKLINE_DATABASE_URL },
    messages: { type: 'string', default: '20000' },
    'ceiling-requests': { type: 'string', default: '30000' },
    rate: { type: 'string', default: '500' },
    'latency-seconds': { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2,4' },
    concurrency: { type: 'string', default: '64' },
  },
});
const DATABASE = args.database ?? '';
if (!/^postgres(ql)?:\/\//.test(DATABASE)) {
  console.error('usage: npm run bench:pg -- --database postgres://user@host:5432/db');
  process.exit(2);
}
const N = Number(args.messages);
const RATE = Number(args.rate);
const LATENCY_COUNT = RATE * Number(args['latency-seconds']);
const CONCURRENCY = Number(args.concurrency);
const WORKER_COUNTS = args.workers.split(',').map(Number);
const TOKEN = `hk_bench_${randomBytes(12).toString('hex')}`;

/** The database the run works in: a scratch one when we may create it (see main). */
let benchDb = DATABASE;
const inDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin<T extends pg.QueryResultRow>(sql: string, url = benchDb): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
const transactions = async () =>
  Number(
    (
      await admin<{ n: string }>(
        'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
      )
    )[0]?.n,
  );

/** Runs `body` with one API and `workers` worker processes; returns its result and the statements it caused. */
async function withCluster<T>(
  url: string,
  workers: number,
  body: (api: { url: string }) => Promise<T>,
): Promise<{ result: T; statements: number }> {
  const before = await transactions();
  const common = ['--database', url, '--port', '0', '--api-token', TOKEN, '--allow-private-networks'];
  const procs = [await startHookline([...common, '--role', 'api'])];
  for (let i = 0; i < workers; i++) {
    procs.push(await startHookline([...common, '--role', 'worker', '--concurrency', String(CONCURRENCY)]));
  }
  let result: T;
  try {
    result = await body(procs[0]!);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
  await sleep(1500); // exited backends have flushed their statistics
  return { result, statements: (await transactions()) - before };
}

async function scenario(receiver: Receiver, workers: number) {
  const schema = `hookline_bench_${randomBytes(4).toString('hex')}`;
  const u = new URL(benchDb);
  u.searchParams.set('schema', schema);
  const url = u.toString();
  const client = (base: string) => apiClient(base, TOKEN, 32);
  const delivered = async () => (await receiver.ask<{ unique: number }>('count')).unique;
  const waitDelivered = async (n: number) => {
    const deadline = now() + 600_000;
    while ((await delivered()) < n) {
      if (now() > deadline) throw new Error(`timed out: ${await delivered()} of ${n} delivered`);
      await sleep(10);
    }
  };

  let appId = '';
  let endpointId = '';
  const setUp = async (api: { url: string }) => {
    const c = client(api.url);
    appId = (await c.call('POST', '/api/v1/app', { name: 'bench' })).id as string;
    endpointId = (
      await c.call('POST', `/api/v1/app/${appId}/endpoint`, { url: `http://127.0.0.1:${receiver.port}/` })
    ).id as string;
    await c.close();
  };

  // 1. Throughput, closed loop: as fast as the API takes messages, until all are delivered and recorded.
  await receiver.ask('reset');
  const throughput = await withCluster(url, workers, async (api) => {
    await setUp(api);
    const c = client(api.url);
    const t0 = now();
    await inParallel(N, 32, async (i) => {
      await c.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } });
    });
    const acceptedPerSec = N / ((now() - t0) / 1000);
    await waitDelivered(N);
    // Delivered is not done: wait until every attempt is recorded too.
    while (
      ((await c.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/stats`)).success as number) < N
    ) {
      await sleep(10);
    }
    const deliveredPerSec = N / ((now() - t0) / 1000);
    await c.close();
    return { acceptedPerSec, deliveredPerSec };
  });

  // 2. Latency, open loop at a fixed offered rate, after a warm-up second (fresh processes JIT-compile first).
  const latency = await withCluster(url, workers, async (api) => {
    const c = client(api.url);
    const openLoop = async (count: number) => {
      await receiver.ask('reset');
      const sentAt = new Map<string, number>();
      const pending: Promise<unknown>[] = [];
      const start = now();
      for (let i = 0; i < count; i++) {
        const wait = start + (i * 1000) / RATE - now();
        if (wait > 1) await sleep(wait);
        const t = now();
        pending.push(
          c
            .call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } })
            .then((m) => sentAt.set(m.id as string, t)),
        );
      }
      await Promise.all(pending);
      await waitDelivered(count);
      const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
      return arrivals
        .filter(([id]) => sentAt.has(id))
        .map(([id, at]) => at - sentAt.get(id)!)
        .sort((a, b) => a - b);
    };
    await openLoop(RATE);
    const latencies = await openLoop(LATENCY_COUNT);
    await c.close();
    return latencies;
  });
  // 3. Drain: a backlog accepted with no worker running, then delivered by the workers alone, to
  // separate what the workers and the queue sustain from what one API process accepts.
  await receiver.ask('reset');
  const backlog = await withCluster(url, 0, async (api) => {
    const c = client(api.url);
    const t0 = now();
    await inParallel(N, 32, async (i) => {
      await c.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i } });
    });
    await c.close();
    return N / ((now() - t0) / 1000);
  });
  const drain = await withCluster(url, workers, async () => {
    await waitDelivered(N);
    const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
    const times = arrivals.map(([, at]) => at);
    return N / ((Math.max(...times) - Math.min(...times)) / 1000);
  });
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  return {
    workers,
    deliveredPerSec: Math.round(throughput.result.deliveredPerSec),
    acceptedPerSec: Math.round(throughput.result.acceptedPerSec),
    p50Ms: Number(percentile(latency.result, 50).toFixed(1)),
    p99Ms: Number(percentile(latency.result, 99).toFixed(1)),
    statementsPerDelivery: Number((throughput.statements / N).toFixed(2)),
    statementsPerDeliveryAtRate: Number((latency.statements / (LATENCY_COUNT + RATE)).toFixed(2)),
    apiOnlyAcceptedPerSec: Math.round(backlog.result),
    drainPerSec: Math.round(drain.result),
    statementsPerDeliveryDrain: Number((drain.statements / N).toFixed(2)),
  };
}

async function main() {
  const scratch = `hookline_bench_${randomBytes(4).toString('hex')}`;
  try {
    await admin(`CREATE DATABASE "${scratch}"`, DATABASE);
    benchDb = inDatabase(DATABASE, scratch);
  } catch (err) {
    console.warn(`cannot create a scratch database (${(err as Error).message}): using ${DATABASE};`);
    console.warn('statement counts will include anything else running in that database');
  }
  const receiver = await startReceiver();
  try {
    const ceilingRun = { requests: Number(args['ceiling-requests']), warmup: 3000, clients: CONCURRENCY };
    const ceilingBefore = await measureCeiling(receiver, ceilingRun);
    const runs = [];
    for (const w of WORKER_COUNTS) runs.push(await scenario(receiver, w));
    // Taken again after, as `npm run bench` does: the ratio uses the mean (util.ts, measureCeiling).
    const ceilingAfter = await measureCeiling(receiver, ceilingRun);
    const ceilingPerSec = (ceilingBefore + ceilingAfter) / 2;
    const result = {
      ceilingPerSec: Math.round(ceilingPerSec),
      ceilingBeforeAfterPerSec: [Math.round(ceilingBefore), Math.round(ceilingAfter)],
      runs: runs.map((r) => ({ ...r, ratio: Number((r.deliveredPerSec / ceilingPerSec).toFixed(3)) })),
      offeredPerSec: RATE,
      messages: N,
      concurrency: CONCURRENCY,
      node: process.version,
    };
    console.log('\nHookline benchmark (PostgreSQL; 1 API process + N worker processes, all on this machine)');
    console.log(
      `ceiling: ${result.ceilingPerSec} raw signed POSTs/s (mean of ${result.ceilingBeforeAfterPerSec.join(' before and ')} after)`,
    );
    console.table(
      Object.fromEntries(
        result.runs.map((r) => [
          `${r.workers} worker${r.workers === 1 ? '' : 's'}`,
          {
            'deliveries/s': r.deliveredPerSec,
            'ratio to ceiling': r.ratio,
            'accepted msgs/s': r.acceptedPerSec,
            [`p50 ms @${RATE}/s`]: r.p50Ms,
            [`p99 ms @${RATE}/s`]: r.p99Ms,
            'SQL/delivery (load)': r.statementsPerDelivery,
            [`SQL/delivery @${RATE}/s`]: r.statementsPerDeliveryAtRate,
            'API alone: accepted/s': r.apiOnlyAcceptedPerSec,
            'workers alone: drain/s': r.drainPerSec,
            'SQL/delivery (drain)': r.statementsPerDeliveryDrain,
          },
        ]),
      ),
    );
    console.log(JSON.stringify(result));
  } finally {
    receiver.close();
    if (benchDb !== DATABASE) await admin(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`, DATABASE);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
