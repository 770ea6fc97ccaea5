import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';
import type { Receiver } from '../helpers/receiver.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One `hookline serve` OS process, as an orchestrator would run it. */
export interface HooklineProcess {
  readonly proc: ChildProcess;
  /** Resolves with the listening URL once the process printed it. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  /** Everything written to stderr, for failure messages. */
  stderr(): string;
  /** Everything written to stdout (the start banner). */
  stdout(): string;
  kill(signal: NodeJS.Signals): void;
}

export interface ServeOptions {
  databaseUrl: string;
  role: 'api' | 'worker' | 'all';
  apiToken?: string | null;
  extra?: string[];
}

export function spawnHookline(opts: ServeOptions): HooklineProcess {
  const args = [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'serve',
    '--database',
    opts.databaseUrl,
    '--role',
    opts.role,
    '--port',
    '0',
    '--allow-private-networks',
    '--log-level',
    'warn',
    // null: no token flag, so the server generates and stores one.
    ...(opts.apiToken === null ? [] : ['--api-token', opts.apiToken ?? 'hk_test_token_for_cluster_tests']),
    ...(opts.extra ?? []),
  ];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const ready = new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`hookline exited (${code}) before listening: ${err}`)));
  });
  ready.catch(() => {});
  proc.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    ready,
    exited,
    stderr: () => err,
    stdout: () => out,
    kill: (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** Runs `node --import tsx <script> ...args` to completion; resolves with its exit code and output. */
export function runScript(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.once('exit', (code) => resolve({ code, output }));
  });
}

/** Stops processes gracefully (SIGTERM), then for good after `graceMs`. */
export async function stopAll(procs: HooklineProcess[], graceMs = 20_000): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(timer);
    }),
  );
}

// ---- a workload: one app, one endpoint at a local receiver, N messages ----------------

/** What the receiver saw, by webhook-id (the message id, stable across retries). */
export function deliveryLog(receiver: Receiver) {
  const counts = new Map<string, number>();
  const payloads = new Set<string>();
  let total = 0;
  let waiters: (() => void)[] = [];
  receiver.respondWith((req) => {
    const id = String(req.headers['webhook-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    payloads.add(req.body);
    total++;
    for (const w of waiters) w();
    return { status: 200, body: 'ok' };
  });
  return {
    get unique() {
      return counts.size;
    },
    get total() {
      return total;
    },
    payloads,
    duplicates: () => total - counts.size,
    /** Resolves when `n` distinct messages arrived; the timeout only guards against a hung run. */
    waitForUnique(n: number, timeoutMs = 240_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${counts.size} of ${n} messages delivered`)),
          timeoutMs,
        );
        const check = () => {
          if (counts.size < n) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve();
        };
        waiters.push(check);
        check();
      });
    },
  };
}

export async function setUpEndpoint(store: Store, url: string): Promise<string> {
  const app = await store.apps.create({ uid: 'load', name: 'load', rateLimit: null, metadata: {} });
  await store.endpoints.create(app.id, endpointInput({ url }));
  return app.id;
}

/** Accepts `count` messages straight into the store, `parallel` at a time. */
export async function produce(store: Store, appId: string, count: number, parallel = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        await store.messages.create({
          appId,
          eventType: 'load.test',
          eventId: null,
          payload: JSON.stringify({ i }),
          channels: null,
          tags: null,
        });
      }
    }),
  );
}

export async function deliveryStatusCounts(store: Store, appId: string): Promise<Record<string, number>> {
  const ep = (await store.endpoints.list(appId, { limit: 1 })).items[0]!;
  return store.endpoints.stats(appId, ep.id);
}

/**
 * Waits until `count` deliveries are recorded as successful. Arriving is not
 * enough after a SIGKILL: what the dead worker sent but never recorded stays
 * leased until the lease runs out, then another worker sends and records it.
 * The wait stays under vitest's 60 s test timeout, so its message is what a hung run shows.
 */
export async function waitForSuccess(store: Store, appId: string, count: number, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await deliveryStatusCounts(store, appId);
    if ((counts.success ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(counts)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
