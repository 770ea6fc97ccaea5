/**
 * `npm run bench:floor`: how much of the raw HTTP ceiling a minimal durable
 * pipeline keeps on this machine (floor-server.ts), measured exactly as
 * `npm run bench` measures Hookline: same receiver, same load generator, same
 * warm-up, same ceiling, one run. It bounds what any Node.js implementation
 * of the throughput target could reach here, so a target above it is a target
 * for the machine, not for Hookline's code.
 *
 * Prints a table, then one line of JSON for scripts.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { BENCH_PAYLOAD, cpuMeter, inParallel, measureCeiling, now, startReceiver, waitFor } from './util.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '30000' },
    'ceiling-requests': { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '64' },
    concurrency: { type: 'string', default: '64' },
    /** postgres://... runs the floor on PostgreSQL (in a scratch schema) instead of a SQLite file. */
    database: { type: 'string' },
  },
});
const N = Number(args.messages);
const WARMUP = Number(args.warmup);
const CLIENTS = Number(args.clients);

async function main() {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'hookline-floor-'));
  let child: ChildProcess | undefined;
  try {
    const ceilingRun = { requests: Number(args['ceiling-requests']), warmup: WARMUP, clients: CLIENTS };
    const ceilingBefore = await measureCeiling(receiver, ceilingRun);
    await receiver.ask('reset');
    child = fork(
      new URL('./floor-server.ts', import.meta.url),
      [args.database ?? join(dir, 'floor.db'), String(receiver.port), args.concurrency],
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const port = await new Promise<number>((resolve) =>
      child!.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CLIENTS, pipelining: 1 });
    const send = async (i: number) => {
      const res = await pool.request({
        method: 'POST',
        path: '/msg',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          eventType: 'payment.succeeded',
          payload: { i, ...JSON.parse(BENCH_PAYLOAD) },
        }),
      });
      JSON.parse(await res.body.text());
      if (res.statusCode !== 202) throw new Error(`floor answered ${res.statusCode}`);
    };
    const delivered = async () => (await receiver.ask<{ unique: number }>('count')).unique;

    await inParallel(WARMUP, CLIENTS, send);
    await waitFor(async () => (await delivered()) >= WARMUP, 60_000, 'warm-up deliveries');
    await receiver.ask('reset');
    const cpu = cpuMeter(child.pid!, receiver.pid);
    const t0 = now();
    await inParallel(N, CLIENTS, send);
    const acceptedPerSec = N / ((now() - t0) / 1000);
    await waitFor(async () => (await delivered()) >= N, 300_000, 'floor deliveries');
    const deliveredPerSec = N / ((now() - t0) / 1000);
    const { serverUs, harnessUs, boundPerSec } = cpu(N);
    await pool.close();
    // Taken again after, as `npm run bench` does: the ratio uses the mean (util.ts, measureCeiling).
    const ceilingAfter = await measureCeiling(receiver, ceilingRun);
    const ceilingPerSec = (ceilingBefore + ceilingAfter) / 2;

    const result = {
      ceilingPerSec: Math.round(ceilingPerSec),
      ceilingBeforeAfterPerSec: [Math.round(ceilingBefore), Math.round(ceilingAfter)],
      floorDeliveredPerSec: Math.round(deliveredPerSec),
      floorRatio: Number((deliveredPerSec / ceilingPerSec).toFixed(3)),
      floorAcceptedPerSec: Math.round(acceptedPerSec),
      floorCpuUsPerMessage: Math.round(serverUs),
      harnessCpuUsPerMessage: Math.round(harnessUs),
      floorCpuBoundRatio: Number((boundPerSec / ceilingPerSec).toFixed(3)),
      messages: N,
      node: process.version,
    };
    console.log('\nMinimal durable pipeline (bench/floor-server.ts) against the same ceiling');
    console.table({
      'ceiling: raw signed POSTs/s (mean)': result.ceilingPerSec,
      '  before / after': result.ceilingBeforeAfterPerSec.join(' / '),
      'floor end to end: deliveries/s': result.floorDeliveredPerSec,
      'floor ratio to ceiling': result.floorRatio,
      'floor accepted msgs/s': result.floorAcceptedPerSec,
      'floor CPU per message (us)': result.floorCpuUsPerMessage,
      'load generator + receiver CPU (us)': result.harnessCpuUsPerMessage,
      'floor ratio if all cores were busy': result.floorCpuBoundRatio,
    });
    console.log(JSON.stringify(result));
  } finally {
    child?.kill('SIGKILL');
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
