import { randomBytes } from 'node:crypto';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { Pool } from 'undici';
import { createSigner, generateHmacSecret, type Signer, signatureHeader } from '../src/core/signing.js';

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Peak and current resident memory of a process in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * CPU time (user + system) used so far, in ms, from /proc (Linux): the whole
 * process (all threads), or with `thread` one thread of it (the main thread's
 * id is the process id); 0 once it is gone.
 */
export function cpuMsOf(pid: number, thread?: number): number {
  let stat: string;
  try {
    stat = readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
  } catch {
    return 0;
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** The thread ids of a process (none once it is gone). */
export function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** CPU ms used so far by the harness: the receiver process and this load generator. */
export function harnessCpuMs(receiverPid: number): number {
  const self = process.cpuUsage();
  return cpuMsOf(receiverPid) + (self.user + self.system) / 1000;
}

/** Messages per second with every core busy at this much CPU (us) per message, server and harness together. */
export const allCoresPerSec = (usPerMessage: number): number => (availableParallelism() * 1e6) / usPerMessage;

/**
 * CPU spent per message during one phase, split into the server under test
 * and the harness (this load generator plus the receiver), and what that
 * split allows: the rate (and so the ratio to the ceiling) reached if every core were busy,
 * with no thread ever waiting on another. A server whose measured ratio sits
 * below its bound loses to parallelism (one busy thread); a bound below a
 * target means the target needs less CPU per message, not more threads.
 * The server's main thread is measured on its own too: at 1e6 / mainUs
 * messages per second it is saturated.
 */
export function cpuMeter(serverPid: number, receiverPid: number) {
  const read = () => ({
    server: cpuMsOf(serverPid),
    serverMain: cpuMsOf(serverPid, serverPid),
    harness: harnessCpuMs(receiverPid),
  });
  const start = read();
  return (messages: number) => {
    const end = read();
    const serverUs = ((end.server - start.server) * 1000) / messages;
    const mainUs = ((end.serverMain - start.serverMain) * 1000) / messages;
    const harnessUs = ((end.harness - start.harness) * 1000) / messages;
    /** Divided by the ceiling, the ratio this CPU cost allows. */
    const boundPerSec = allCoresPerSec(serverUs + harnessUs);
    return { serverUs, mainUs, harnessUs, boundPerSec };
  };
}

/** The receiver child process with a request/answer helper over IPC. */
export interface Receiver {
  port: number;
  pid: number;
  ask<T>(cmd: string): Promise<T>;
  close(): void;
}

export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(new URL('./receiver.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { type: string; port: number }) => resolve(m.port)),
  );
  return {
    port,
    pid: child.pid!,
    ask<T>(cmd: string) {
      return new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send({ cmd });
      });
    },
    close() {
      child.kill('SIGKILL');
    },
  };
}

/** Extra node flags for the servers a bench starts (profiling: `--cpu-prof`, `--perf-basic-prof`). */
export const benchNodeArgs = (): string[] =>
  (process.env.HOOKLINE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Starts `hookline serve` from the built dist and waits for its banner. */
export async function startHookline(
  args: string[],
  nodeArgs: string[] = benchNodeArgs(),
): Promise<{ pid: number; url: string; token: string | null; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, new URL('../bin/hookline.js', import.meta.url).pathname, 'serve', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, HOOKLINE_LOG_LEVEL: 'warn' },
    },
  );
  let out = '';
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('API token:')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`hookline exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  const url = /listening on (\S+)/.exec(banner)![1]!;
  // Only a generated token is printed; a configured one the caller already knows.
  const token = /API token: (\S+) \(generated now/.exec(banner)?.[1] ?? null;
  return {
    pid: child.pid!,
    url,
    token,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The payload every benchmark sends, so runs compare like with like. */
export const BENCH_PAYLOAD = JSON.stringify({
  type: 'payment.succeeded',
  data: { id: 'pay_123', amount: 4200, currency: 'eur' },
});

/** Runs `count` tasks with `parallel` at a time. */
export async function inParallel(count: number, parallel: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = now() + timeoutMs;
  while (!(await check())) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** One webhook POST as Hookline sends it: Standard Webhooks headers, signed now. */
export function signedPost(pool: Pool, signers: Signer[], id: string, body: string): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signatureHeader(signers, id, ts, body),
  };
  // Through the dispatch handler, as Hookline's sender posts (src/delivery/sender.ts): the
  // cheapest way undici has, so the ceiling, the floor and the peers are not held back by
  // a response stream each. Resolves with the status once the body has ended.
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.dispatch(
      { method: 'POST', path: '/', headers, body },
      {
        onRequestStart: () => {}, // marks the handler as undici 7's interface (onResponse*)
        onResponseStart: (_c, statusCode) => {
          status = statusCode;
        },
        onResponseEnd: () => resolve(status),
        onResponseError: (_c, err) => reject(err),
      },
    );
  });
}

/**
 * The ceiling: raw signed POSTs from a keep-alive undici pool straight to the
 * receiver, `clients` at a time, after a warm-up (JIT, connections) like the
 * Hookline runs get. Returns requests per second. The benches take it right
 * before and right after the phase they compare with it, and use the mean:
 * on a shared machine the speed drifts within minutes (the ceiling moved
 * between 9,400 and 24,000/s in one hour), and one side alone would let that
 * drift decide the ratio.
 */
export async function measureCeiling(
  receiver: Receiver,
  opts: { requests: number; warmup: number; clients: number },
): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${receiver.port}`, { connections: opts.clients, pipelining: 1 });
  const signers = [createSigner(generateHmacSecret())];
  const post = async (i: number) => {
    await signedPost(pool, signers, `msg_ceiling_${i}`, BENCH_PAYLOAD);
  };
  await inParallel(opts.warmup, opts.clients, post);
  const start = now();
  await inParallel(opts.requests, opts.clients, post);
  const perSec = opts.requests / ((now() - start) / 1000);
  await pool.close();
  return perSec;
}

/** A keep-alive client for Hookline's API: `call` throws on any non-2xx answer. */
export function apiClient(baseUrl: string, token: string, connections: number) {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await pool.request({
      method,
      path,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return { call, close: () => pool.close() };
}

/** A fresh schema on the PostgreSQL at `baseUrl` for one bench run; `url` is what `--database` takes. */
export async function scratchSchema(
  baseUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const u = new URL(baseUrl);
  u.searchParams.set('schema', schema);
  return { url: u.toString(), drop: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
}
