/**
 * `npm run bench`: Hookline end to end on SQLite against the raw HTTP ceiling,
 * measured in one run on one machine (see DESIGN.md, "Performance method").
 *
 *  1. ceiling:    signed POSTs from a keep-alive undici pool straight to the receiver,
 *                 taken before and again after phase 2; the ratio uses the mean
 *  2. throughput: messages through the API -> stored -> delivered -> attempt recorded
 *  3. latency:    accept-to-delivery p50/p99 at a fixed offered load (500 msg/s)
 *  4. backlog:    RSS while 100,000 messages wait (receiver paused), then the drain
 *
 * Prints a table, then one line of JSON for scripts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  apiClient,
  BENCH_PAYLOAD,
  cpuMeter,
  inParallel,
  measureCeiling,
  memoryOf,
  now,
  percentile,
  sleep,
  startHookline,
  startReceiver,
  waitFor,
} from './util.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '30000' },
    'ceiling-requests': { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '3000' },
    clients: { type: 'string', default: '64' },
    rate: { type: 'string', default: '500' },
    'latency-seconds': { type: 'string', default: '10' },
    backlog: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const N = Number(args.messages);
const RATE = Number(args.rate);
const BACKLOG = Number(args.backlog);
const CONCURRENCY = Number(args.concurrency);
const WARMUP = Number(args.warmup);
/** Concurrent API callers of the load generator (the same count drives the ceiling). */
const CLIENTS = Number(args.clients);
const payload = BENCH_PAYLOAD;

async function main() {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-'));
  let hookline: Awaited<ReturnType<typeof startHookline>> | undefined;
  try {
    const ceilingRun = { requests: Number(args['ceiling-requests']), warmup: WARMUP, clients: CLIENTS };
    const ceilingBefore = await measureCeiling(receiver, ceilingRun);
    await receiver.ask('reset');

    hookline = await startHookline([
      '--database',
      `sqlite:${join(dir, 'bench.db')}`,
      '--port',
      '0',
      '--concurrency',
      String(CONCURRENCY),
      '--allow-private-networks',
      // The receiver holds requests for the whole backlog phase (tens of seconds
      // on a slow machine). With the default 15 s, the held attempts would time
      // out twice and wait for the 5-minute retry, and the drain would measure
      // the retry schedule instead of the delivery path.
      '--request-timeout',
      '10m',
    ]);
    const api = apiClient(hookline.url, hookline.token!, CLIENTS);
    const call = api.call;
    const app = await call('POST', '/api/v1/app', { name: 'bench' });
    const endpoint = await call('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: `http://127.0.0.1:${receiver.port}/`,
    });
    const send = (i: number) =>
      call('POST', `/api/v1/app/${app.id}/msg`, {
        eventType: 'payment.succeeded',
        payload: { i, ...JSON.parse(payload) },
      });
    const recorded = async () =>
      (await call('GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/stats`)).success as number;
    const delivered = async () => (await receiver.ask<{ unique: number }>('count')).unique;

    // 2. Throughput, closed loop: as fast as the API takes messages, after a warm-up.
    await inParallel(WARMUP, CLIENTS, async (i) => {
      await send(i);
    });
    await waitFor(async () => (await delivered()) >= WARMUP, 60_000, 'warm-up deliveries');
    await receiver.ask('reset');
    const cpu = cpuMeter(hookline.pid, receiver.pid);
    const t0 = now();
    await inParallel(N, CLIENTS, async (i) => {
      await send(i);
    });
    const acceptedPerSec = N / ((now() - t0) / 1000);
    // Poll the receiver (another process) first; ask Hookline for its stats only at the end,
    // so the measurement does not load the server it measures.
    await waitFor(async () => (await delivered()) >= N, 300_000, 'throughput deliveries');
    await waitFor(async () => (await recorded()) >= WARMUP + N, 60_000, 'throughput attempts to be recorded');
    const deliveredPerSec = N / ((now() - t0) / 1000);
    // What each message cost Hookline (all its threads): unlike throughput, barely moved by other load.
    const { serverUs: cpuUsPerMessage, mainUs, harnessUs, boundPerSec } = cpu(N);
    const ceilingAfter = await measureCeiling(receiver, ceilingRun);
    const ceilingPerSec = (ceilingBefore + ceilingAfter) / 2;

    // 3. Latency, open loop at a fixed offered rate.
    await receiver.ask('reset');
    const latencyCount = RATE * Number(args['latency-seconds']);
    const sentAt = new Map<string, number>();
    const pending: Promise<unknown>[] = [];
    const lStart = now();
    for (let i = 0; i < latencyCount; i++) {
      const due = lStart + (i * 1000) / RATE;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      const t = now();
      pending.push(send(i).then((m) => sentAt.set(m.id as string, t)));
    }
    await Promise.all(pending);
    await waitFor(async () => (await delivered()) >= latencyCount, 60_000, 'latency deliveries');
    const { arrivals } = await receiver.ask<{ arrivals: [string, number][] }>('arrivals');
    const latencies = arrivals
      .filter(([id]) => sentAt.has(id))
      .map(([id, at]) => at - sentAt.get(id)!)
      .sort((a, b) => a - b);

    // 4. Backlog: the receiver holds every request, so messages pile up as pending deliveries.
    await receiver.ask('pause');
    await receiver.ask('reset');
    const before = await recorded();
    const bStart = now();
    let backlogRssMb = 0;
    await inParallel(BACKLOG, CLIENTS, async (i) => {
      await send(i);
      if (i % 5000 === 0) backlogRssMb = Math.max(backlogRssMb, memoryOf(hookline!.pid).rssMb);
    });
    const backlogAcceptPerSec = BACKLOG / ((now() - bStart) / 1000);
    backlogRssMb = Math.max(backlogRssMb, memoryOf(hookline.pid).rssMb);
    const dStart = now();
    await receiver.ask('resume');
    await waitFor(async () => (await delivered()) >= BACKLOG, 600_000, 'backlog to drain');
    await waitFor(
      async () => (await recorded()) - before >= BACKLOG,
      60_000,
      'backlog attempts to be recorded',
    );
    const drainPerSec = BACKLOG / ((now() - dStart) / 1000);
    const { peakRssMb } = memoryOf(hookline.pid);
    await api.close();

    const result = {
      ceilingPerSec: Math.round(ceilingPerSec),
      ceilingBeforeAfterPerSec: [Math.round(ceilingBefore), Math.round(ceilingAfter)],
      deliveredPerSec: Math.round(deliveredPerSec),
      ratio: Number((deliveredPerSec / ceilingPerSec).toFixed(3)),
      acceptedPerSec: Math.round(acceptedPerSec),
      cpuUsPerMessage: Math.round(cpuUsPerMessage),
      mainThreadCpuUsPerMessage: Math.round(mainUs),
      harnessCpuUsPerMessage: Math.round(harnessUs),
      cpuBoundRatio: Number((boundPerSec / ceilingPerSec).toFixed(3)),
      offeredPerSec: RATE,
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      latencySamples: latencies.length,
      backlog: BACKLOG,
      backlogAcceptPerSec: Math.round(backlogAcceptPerSec),
      backlogRssMb: Math.round(backlogRssMb),
      drainPerSec: Math.round(drainPerSec),
      peakRssMb: Math.round(peakRssMb),
      messages: N,
      concurrency: CONCURRENCY,
      node: process.version,
    };
    console.log(
      '\nHookline benchmark (SQLite, one process, receiver and load generator on the same machine)',
    );
    console.table({
      'ceiling: raw signed POSTs/s (mean)': result.ceilingPerSec,
      '  before / after the throughput phase': result.ceilingBeforeAfterPerSec.join(' / '),
      'end to end: deliveries/s': result.deliveredPerSec,
      'ratio to ceiling': result.ratio,
      'API accepted msgs/s': result.acceptedPerSec,
      'Hookline CPU per message (us)': result.cpuUsPerMessage,
      '  of which its main thread (us)': result.mainThreadCpuUsPerMessage,
      'load generator + receiver CPU (us)': result.harnessCpuUsPerMessage,
      'ratio if all cores were busy': result.cpuBoundRatio,
      [`p50 accept->delivery @${RATE}/s (ms)`]: result.p50Ms,
      [`p99 accept->delivery @${RATE}/s (ms)`]: result.p99Ms,
      [`RSS with ${BACKLOG} waiting (MB)`]: result.backlogRssMb,
      'backlog drain deliveries/s': result.drainPerSec,
      'peak RSS (MB)': result.peakRssMb,
    });
    console.log(JSON.stringify(result));
  } finally {
    await hookline?.stop();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
