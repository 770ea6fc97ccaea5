/**
 * `npm run bench:retention`: does `hookline prune --every` keep the database
 * at a steady size under constant load? (README, Performance, Cost as the
 * work grows.)
 *
 * Per backend, on a fresh database (SQLite: one process; PostgreSQL: an API
 * process and one worker), one application with one endpoint at the bench's
 * receiver gets `--rate` messages/s, and `hookline prune --older-than R
 * --every R` runs beside it as its own process (R = `--round`, 20 s; the full
 * run 60 s). Every prune pass that deletes something ends a round (round 0
 * is the first such pass, which finds only part of a window old enough;
 * rounds 1 and on each delete a full window); after it the bench reads the database's size on disk (SQLite: the file and its WAL;
 * PostgreSQL: every table, index and TOAST table of the schema) and the
 * number of stored messages. Steady: the size after round `--rounds` (3)
 * within 10% of the size after round 1. Prints a table, then one JSON line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
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
import { apiClient, now, type Receiver, sleep, startReceiver } from './util.js';

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    rate: { type: 'string', default: '200' },
    round: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    // PostgreSQL: VACUUM after each prune pass, standing in for autovacuum where the server has it off.
    vacuum: { type: 'boolean', default: false },
    postgres: { type: 'string', default: DEFAULT_PG },
  },
});
const RATE = Number(args.rate);
const ROUND_S = Number(args.round);
const ROUNDS = Number(args.rounds);
const TOLERANCE = 0.1;

interface Round {
  round: number;
  atSeconds: number;
  pruned: number;
  sizeMb: number;
  detail: string;
  messages: number;
}

/** `hookline prune --every`, calling `onPass(deleted)` after each pass it reports. */
function startPrune(url: string, onPass: (deleted: number) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      new URL('../bin/hookline.js', import.meta.url).pathname,
      'prune',
      '--database',
      url,
      '--older-than',
      `${ROUND_S}s`,
      '--every',
      `${ROUND_S}s`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const m = /^pruned (\d+) messages/.exec(buffer.slice(0, nl));
      if (m) onPass(Number(m[1]));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  return child;
}

async function run(backend: Backend, receiver: Receiver) {
  const db = await benchDb(backend, 'retention', args.postgres);
  const procs: Proc[] = [];
  let prune: ChildProcess | undefined;
  try {
    if (backend === 'sqlite') procs.push(await db.serve('all'));
    else procs.push(await db.serve('api'), await db.serve('worker'));
    const { appId } = await appWithEndpoints(procs[0]!.url, 1, () => `http://127.0.0.1:${receiver.port}/`);
    const api = apiClient(procs[0]!.url, BENCH_TOKEN, 16);
    const messages = async (): Promise<number> => {
      if (backend === 'postgres')
        return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM messages'))[0]!.n);
      const file = db.url.slice('sqlite:'.length);
      const r = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return (r.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
      } finally {
        r.close();
      }
    };
    const rounds: Round[] = [];
    const passes: Promise<void>[] = [];
    const start = now();
    prune = startPrune(db.url, (deleted) => {
      if (deleted === 0) return;
      passes.push(
        (async () => {
          if (args.vacuum) await db.vacuum();
          const size = await db.sizeBytes();
          const r: Round = {
            round: rounds.length,
            atSeconds: Math.round((now() - start) / 1000),
            pruned: deleted,
            sizeMb: mb(size.total),
            detail: size.detail,
            messages: await messages(),
          };
          rounds.push(r);
          console.log(
            `${backend.padEnd(8)} round ${r.round} at ${r.atSeconds} s: pruned ${r.pruned}, ${r.messages} ` +
              `messages stored, database ${r.sizeMb} MB (${r.detail})`,
          );
        })(),
      );
    });
    // Constant load until the last round has been measured.
    let sent = 0;
    let failed = 0;
    const inFlight = new Set<Promise<unknown>>();
    while (rounds.length <= ROUNDS) {
      const p = api
        .call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'payment.succeeded', payload: { i: sent } })
        .catch(() => failed++);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      sent++;
      await sleep(Math.max(0, start + (sent * 1000) / RATE - now()));
      if (now() - start > (ROUNDS + 4) * ROUND_S * 1000 * 3)
        throw new Error('prune never finished its rounds');
    }
    await Promise.all(inFlight);
    await Promise.all(passes);
    await api.close();
    const first = rounds[1]!;
    const last = rounds[ROUNDS]!;
    return {
      autovacuum: await db.autovacuum(),
      vacuumAfterPrune: args.vacuum && backend === 'postgres',
      rounds,
      sent,
      failed,
      steady: last.sizeMb <= first.sizeMb * (1 + TOLERANCE),
      growth: Math.round((last.sizeMb / first.sizeMb - 1) * 1000) / 10,
    };
  } finally {
    prune?.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.stop()));
    await db.drop();
  }
}

async function main() {
  console.log(`retention bench, ${machine()}`);
  const receiver = await startReceiver();
  const out: Record<string, unknown> = {};
  try {
    for (const backend of args.backends.split(',') as Backend[]) out[backend] = await run(backend, receiver);
  } finally {
    receiver.close();
  }
  console.log(
    JSON.stringify({
      bench: 'retention',
      machine: machine(),
      rate: RATE,
      roundSeconds: ROUND_S,
      rounds: ROUNDS,
      tolerance: TOLERANCE,
      ...out,
    }),
  );
}

await main();
