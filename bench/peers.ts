/**
 * `npm run bench:peers`: Hookline against what users would otherwise run, on
 * one harness in one run: the same receiver process, load generator, payload
 * and Standard Webhooks signing for every row.
 *
 *   ceiling       raw signed POSTs to the receiver (before and after; the mean)
 *   floor         bench/floor-server.ts: a featureless durable pipeline (SQLite)
 *   hooklineSqlite  `hookline serve` on a SQLite file, one process
 *   hooklinePg      `hookline serve --role api` + one `--role worker` on PostgreSQL
 *   bullmq        bench/peer-server.ts: HTTP ingest -> BullMQ 5 on Redis -> 64 workers (`--concurrency`)
 *   pgQueue       bench/peer-server.ts: HTTP ingest -> pg-boss 10 on PostgreSQL
 *   batchSqlite / batchPg  Hookline's POST .../msg/batch, 100 messages a call
 *
 * Per row: deliveries/s end to end (N messages, `--clients` at a time, until
 * the receiver has every one), the ratio to the ceiling, CPU microseconds per
 * delivery (every thread of the row's Node processes plus its database
 * server: redis-server, or every postgres process), accept-to-delivery
 * p50/p99 at `--rate` (500) messages/s, and peak RSS of its Node processes.
 * Prints a table, then one JSON line (the last line).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { BENCH_TOKEN, benchDb, DEFAULT_PG } from './cluster.js';
import {
  allCoresPerSec,
  BENCH_PAYLOAD,
  benchNodeArgs,
  cpuMsOf,
  harnessCpuMs,
  inParallel,
  measureCeiling,
  memoryOf,
  now,
  percentile,
  type Receiver,
  sleep,
  startReceiver,
  threadsOf,
  waitFor,
} from './util.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: 'floor,hooklineSqlite,bullmq,hooklinePg,pgQueue,batchSqlite,batchPg' },
    messages: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '64' },
    /** Deliveries in flight in every row (the floor's, BullMQ's, pg-boss's batch, Hookline's --concurrency). */
    concurrency: { type: 'string', default: '64' },
    'ceiling-requests': { type: 'string', default: '30000' },
    rate: { type: 'string', default: '500' },
    'latency-seconds': { type: 'string', default: '10' },
    batch: { type: 'string', default: '100' },
    postgres: {
      type: 'string',
      default: DEFAULT_PG,
    },
  },
});
const N = Number(args.messages);
const WARMUP = Number(args.warmup);
const CLIENTS = Number(args.clients);
const RATE = Number(args.rate);
const LATENCY_COUNT = RATE * Number(args['latency-seconds']);
const BATCH = Number(args.batch);
const PAYLOAD = JSON.parse(BENCH_PAYLOAD) as Record<string, unknown>;

/** Pids of running processes with this command name (redis-server, postgres). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
/**
 * CPU of the row's processes and its database server between start and stop
 * (new processes count from 0), per delivery: all of it, and the database
 * server's part, which tells where a row's time goes. Also the busiest thread
 * of the row's own processes (for Hookline on SQLite, its main thread), with
 * its share of one core: near 100% it is the bound; and the harness's CPU (the
 * receiver and this load generator, on the same cores), which with the row's
 * own gives the rate every core busy would allow (util.ts allCoresPerSec).
 */
function cpuMeter(pids: number[], database: string | null, receiverPid: number) {
  const dbPids = () => (database ? pidsNamed(database) : []);
  const sample = (of: number[]) => new Map(of.map((p) => [p, cpuMsOf(p)]));
  const spentMs = (from: Map<number, number>, of: number[]) => {
    let ms = 0;
    for (const [pid, end] of sample(of)) ms += end - (from.get(pid) ?? 0);
    return ms;
  };
  const threads = () =>
    new Map(pids.flatMap((pid) => threadsOf(pid).map((t) => [`${pid}/${t}`, cpuMsOf(pid, t)] as const)));
  const own = sample(pids);
  const db = sample(dbPids());
  const ownThreads = threads();
  const harnessAtStart = harnessCpuMs(receiverPid);
  const startedAt = now();
  return (deliveries: number) => {
    const elapsedMs = now() - startedAt;
    const dbMs = spentMs(db, dbPids());
    const ownMs = spentMs(own, pids);
    const harnessMs = harnessCpuMs(receiverPid) - harnessAtStart;
    let busiestMs = 0;
    for (const [thread, end] of threads())
      busiestMs = Math.max(busiestMs, end - (ownThreads.get(thread) ?? 0));
    const perDelivery = (ms: number) => (ms * 1000) / deliveries;
    return {
      cpuUsPerDelivery: perDelivery(ownMs + dbMs),
      dbCpuUsPerDelivery: perDelivery(dbMs),
      busiestThreadUsPerDelivery: perDelivery(busiestMs),
      busiestThreadShare: busiestMs / elapsedMs,
      harnessUsPerDelivery: perDelivery(harnessMs),
      boundPerSec: allCoresPerSec(perDelivery(ownMs + dbMs + harnessMs)),
    };
  };
}

/** A running system under test: how to send one message (or a batch) and get its id back. */
interface Sut {
  pids: number[];
  database: 'redis-server' | 'postgres' | null;
  send(i: number): Promise<string>;
  stop(): Promise<void>;
}

function postJson(pool: Pool, path: string, body: unknown, headers: Record<string, string> = {}) {
  return pool
    .request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    .then(async (res) => {
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    });
}

/** A forked bench server speaking POST /msg -> {id} (floor-server.ts, peer-server.ts). */
async function forkedSut(file: string, argv: string[], database: Sut['database']): Promise<Sut> {
  const child: ChildProcess = fork(new URL(file, import.meta.url), argv, {
    execArgv: ['--import', 'tsx', ...benchNodeArgs()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CLIENTS, pipelining: 1 });
  return {
    pids: [child.pid!],
    database,
    send: async (i) =>
      (await postJson(pool, '/msg', { eventType: 'payment.succeeded', payload: { i, ...PAYLOAD } }))
        .id as string,
    stop: async () => {
      await pool.close();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}

/** Hookline with one endpoint at the receiver; `batch` sends BATCH messages a call. */
async function hooklineSut(receiver: Receiver, backend: 'sqlite' | 'postgres', batch: boolean): Promise<Sut> {
  const db = await benchDb(backend, 'peers', args.postgres);
  const flags = ['--concurrency', args.concurrency];
  const procs =
    backend === 'postgres'
      ? [await db.serve('api', flags), await db.serve('worker', flags)]
      : [await db.serve('all', flags)];
  const pool = new Pool(procs[0]!.url, { connections: CLIENTS, pipelining: 1 });
  const auth = { authorization: `Bearer ${BENCH_TOKEN}` };
  const app = (await postJson(pool, '/api/v1/app', { name: 'bench' }, auth)).id as string;
  await postJson(pool, `/api/v1/app/${app}/endpoint`, { url: `http://127.0.0.1:${receiver.port}/` }, auth);
  const message = (i: number) => ({ eventType: 'payment.succeeded', payload: { i, ...PAYLOAD } });
  // A batch call carries BATCH messages: send(i) for i = 0, BATCH, 2*BATCH... stands for BATCH of them.
  const send = batch
    ? async (i: number) => {
        const res = await postJson(
          pool,
          `/api/v1/app/${app}/msg/batch`,
          { messages: Array.from({ length: BATCH }, (_, k) => message(i + k)) },
          auth,
        );
        return (res.data as { message: { id: string } }[])[0]!.message.id;
      }
    : async (i: number) => (await postJson(pool, `/api/v1/app/${app}/msg`, message(i), auth)).id as string;
  return {
    pids: procs.map((p) => p.pid),
    database: backend === 'postgres' ? 'postgres' : null,
    send,
    stop: async () => {
      await pool.close();
      await Promise.all(procs.map((p) => p.stop()));
      await db.drop();
    },
  };
}

interface Row {
  perSec: number;
  ratio: number;
  cpuUsPerDelivery: number;
  /** The database server's part of cpuUsPerDelivery (0 without one). */
  dbCpuUsPerDelivery: number;
  /** The busiest thread of the row's own processes: CPU us per delivery, and its share of one core. */
  busiestThreadUsPerDelivery: number;
  busiestThreadShare: number;
  /** The receiver's and the load generator's CPU per delivery (they share the cores). */
  harnessUsPerDelivery: number;
  /** Deliveries/s with every core busy at this row's and the harness's CPU per delivery. */
  boundPerSec: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  note?: string;
}

/** Warm-up, closed-loop throughput, then latency at RATE; messages per send() call is `perCall`. */
async function measure(receiver: Receiver, sut: Sut, perCall: number): Promise<Omit<Row, 'ratio'>> {
  const delivered = async () => (await receiver.ask<{ unique: number }>('count')).unique;
  const calls = (n: number) => Math.ceil(n / perCall);
  const clients = perCall > 1 ? Math.max(2, Math.floor(CLIENTS / 8)) : CLIENTS;
  await receiver.ask('reset');
  await inParallel(calls(WARMUP), clients, async (c) => void (await sut.send(c * perCall)));
  await waitFor(async () => (await delivered()) >= calls(WARMUP) * perCall, 120_000, 'warm-up deliveries');

  await receiver.ask('reset');
  const cpu = cpuMeter(sut.pids, sut.database, receiver.pid);
  const t0 = now();
  await inParallel(calls(N), clients, async (c) => void (await sut.send(c * perCall)));
  const total = calls(N) * perCall;
  await waitFor(async () => (await delivered()) >= total, 600_000, 'deliveries');
  const perSec = total / ((now() - t0) / 1000);
  const cost = cpu(total);

  // Latency: one message (or one batch's first) every 1/RATE s, open loop.
  await receiver.ask('reset');
  const sentAt = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const start = now();
  const latencyCalls = Math.ceil(LATENCY_COUNT / perCall);
  for (let i = 0; i < latencyCalls; i++) {
    const t = now();
    pending.push(sut.send(1e9 + i * perCall).then((id) => void sentAt.set(id, t)));
    await sleep(Math.max(0, start + ((i + 1) * 1000 * perCall) / RATE - now()));
  }
  await Promise.all(pending);
  await waitFor(async () => (await delivered()) >= latencyCalls * perCall, 120_000, 'latency deliveries');
  const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
  const latencies = arrivals
    .filter(([id]) => sentAt.has(id))
    .map(([id, at]) => at - sentAt.get(id)!)
    .sort((a, b) => a - b);
  const peakRssMb = sut.pids.reduce((sum, pid) => sum + memoryOf(pid).peakRssMb, 0);
  return {
    perSec,
    ...cost,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    peakRssMb,
  };
}

async function redisUp(): Promise<boolean> {
  const r = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function main() {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'hookline-peers-floor-'));
  const rows: Record<string, Row> = {};
  const ceilingRun = { requests: Number(args['ceiling-requests']), warmup: WARMUP, clients: CLIENTS };
  try {
    const ceilingBefore = await measureCeiling(receiver, ceilingRun);
    const results: Record<string, Omit<Row, 'ratio'>> = {};
    for (const name of args.rows.split(',')) {
      let sut: Sut;
      if (name === 'floor')
        sut = await forkedSut(
          './floor-server.ts',
          [join(dir, 'floor.db'), String(receiver.port), args.concurrency],
          null,
        );
      else if (name === 'bullmq') {
        if (!(await redisUp())) {
          console.log('bullmq: skipped, no Redis at 127.0.0.1:6379');
          continue;
        }
        sut = await forkedSut(
          './peer-server.ts',
          ['bullmq', String(receiver.port), '', args.concurrency],
          'redis-server',
        );
      } else if (name === 'pgQueue') {
        sut = await forkedSut(
          './peer-server.ts',
          ['pgboss', String(receiver.port), args.postgres, args.concurrency],
          'postgres',
        );
      } else if (name === 'hooklineSqlite') sut = await hooklineSut(receiver, 'sqlite', false);
      else if (name === 'hooklinePg') sut = await hooklineSut(receiver, 'postgres', false);
      else if (name === 'batchSqlite') sut = await hooklineSut(receiver, 'sqlite', true);
      else if (name === 'batchPg') sut = await hooklineSut(receiver, 'postgres', true);
      else throw new Error(`unknown row ${name}`);
      try {
        results[name] = await measure(receiver, sut, name.startsWith('batch') ? BATCH : 1);
        const r = results[name]!;
        console.log(
          `${name.padEnd(15)} ${Math.round(r.perSec)}/s, ${Math.round(r.cpuUsPerDelivery)} us CPU/delivery ` +
            `(database ${Math.round(r.dbCpuUsPerDelivery)}; busiest thread ${Math.round(r.busiestThreadUsPerDelivery)} us, ` +
            `${Math.round(r.busiestThreadShare * 100)}% of a core; harness ${Math.round(r.harnessUsPerDelivery)} us; ` +
            `all cores busy: ${Math.round(r.boundPerSec)}/s), ` +
            `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms at ${RATE}/s, peak RSS ${Math.round(r.peakRssMb)} MB`,
        );
      } finally {
        await sut.stop();
      }
    }
    const ceilingAfter = await measureCeiling(receiver, ceilingRun);
    const ceilingPerSec = (ceilingBefore + ceilingAfter) / 2;
    for (const [name, r] of Object.entries(results)) rows[name] = { ...r, ratio: r.perSec / ceilingPerSec };

    const round = (r: Row | undefined) =>
      r && {
        perSec: Math.round(r.perSec),
        ratio: Number(r.ratio.toFixed(3)),
        cpuUsPerDelivery: Math.round(r.cpuUsPerDelivery),
        dbCpuUsPerDelivery: Math.round(r.dbCpuUsPerDelivery),
        busiestThreadUsPerDelivery: Math.round(r.busiestThreadUsPerDelivery),
        busiestThreadShare: Number(r.busiestThreadShare.toFixed(2)),
        harnessUsPerDelivery: Math.round(r.harnessUsPerDelivery),
        boundPerSec: Math.round(r.boundPerSec),
        p50Ms: Number(r.p50Ms.toFixed(1)),
        p99Ms: Number(r.p99Ms.toFixed(1)),
        peakRssMb: Math.round(r.peakRssMb),
      };
    console.table(Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, round(r)])));
    const ratioOf = (a: string, b: string) =>
      rows[a] && rows[b] ? Number((rows[a]!.perSec / rows[b]!.perSec).toFixed(2)) : null;
    console.log(
      JSON.stringify({
        ceilingPerSec: Math.round(ceilingPerSec),
        ceilingBeforeAfterPerSec: [Math.round(ceilingBefore), Math.round(ceilingAfter)],
        floorPerSec: rows.floor ? Math.round(rows.floor.perSec) : null,
        floor: round(rows.floor),
        hooklineSqlite: round(rows.hooklineSqlite),
        bullmq: round(rows.bullmq),
        hooklinePg: round(rows.hooklinePg),
        pgQueue: round(rows.pgQueue),
        batchSqlite: round(rows.batchSqlite),
        batchPg: round(rows.batchPg),
        vs: {
          sqliteOverBullmq: ratioOf('hooklineSqlite', 'bullmq'),
          pgOverPgQueue: ratioOf('hooklinePg', 'pgQueue'),
          sqliteOverFloor: ratioOf('hooklineSqlite', 'floor'),
          batchPgOverSinglePg: ratioOf('batchPg', 'hooklinePg'),
          cpuSqliteOverFloor:
            rows.hooklineSqlite && rows.floor
              ? Number((rows.hooklineSqlite.cpuUsPerDelivery / rows.floor.cpuUsPerDelivery).toFixed(2))
              : null,
        },
        messages: N,
        concurrency: Number(args.concurrency),
        cores: availableParallelism(),
        node: process.version,
      }),
    );
  } finally {
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
