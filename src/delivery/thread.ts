import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { SendRequest, SendResult, Sender } from './sender.js';

/** Messages between the main thread and the sender thread. */
export type ToThread = { type: 'send'; batch: { id: number; req: SendRequest }[] } | { type: 'close' };
export type FromThread =
  | { type: 'ready' }
  | { type: 'sent'; batch: { id: number; result: SendResult }[] }
  | { type: 'closed' };

/**
 * Collects items posted in one turn of the event loop and hands them over as
 * one array: a message between threads costs several microseconds whatever
 * its size, and a claim starts dozens of sends at once. `flush()` hands over
 * what is waiting now (before a close message, so nothing overtakes it).
 */
export function perTurn<T>(hand: (batch: T[]) => void): { push(item: T): void; flush(): void } {
  let batch: T[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    hand(items);
  };
  return {
    push(item) {
      if (batch.length === 0) setImmediate(flush);
      batch.push(item);
    },
    flush,
  };
}

export type SenderThreadConfig = Pick<
  Config,
  'requestTimeoutMs' | 'concurrency' | 'allowPrivateNetworks' | 'allowedCidrs'
>;

/**
 * Built, the entry is JavaScript beside this file. Run from source (tests, dev
 * under tsx) it is TypeScript, and a thread does not inherit the parent's
 * loader hooks: a one-line bootstrap registers tsx in the thread first.
 */
function spawnThread(config: SenderThreadConfig): Thread {
  if (!import.meta.url.endsWith('.ts')) {
    return new Thread(new URL('./thread-main.js', import.meta.url), { workerData: config });
  }
  // require.resolve finds the CommonJS build of tsx's API; the thread needs its ESM twin beside it.
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./thread-main.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Thread(bootstrap, { eval: true, workerData: config });
}

/** The thread's Sender, plus an abrupt stop (what a crash looks like from outside). */
export interface SenderThread extends Sender {
  terminate(): Promise<void>;
}

const THREAD_EXITED: SendResult = {
  statusCode: 0,
  body: 'sender thread exited',
  durationMs: 0,
  errorClass: 'other',
  retryAfter: null,
};

/**
 * A Sender whose HTTP work (sockets, TLS, parsing, the SSRF guard's lookups)
 * runs on its own thread. The worker loop, signing and every database write
 * stay on the main thread, so a single SQLite connection keeps one writer,
 * while the API and the HTTP client no longer share one event loop.
 */
export async function startSenderThread(
  config: SenderThreadConfig,
  /** Called once if the thread dies before close(): the process can no longer deliver. */
  onDeath: (err: Error) => void = () => {},
): Promise<SenderThread> {
  const thread = spawnThread(config);
  const waiting = new Map<number, (r: SendResult) => void>();
  let nextId = 0;
  let closing: Promise<void> | null = null;
  let dead = false;
  let lastError: Error | null = null;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    thread.on('error', (err) => {
      lastError = err;
      reject(err);
    });
    thread.once('exit', (code) => reject(new Error(`sender thread exited with ${code}`)));
    thread.on('message', (m: FromThread) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'sent') {
        for (const { id, result } of m.batch) {
          waiting.get(id)?.(result);
          waiting.delete(id);
        }
      }
    });
  });
  // If the thread dies, attempts in flight end as failed transport errors (and
  // are retried); later sends fail at once instead of waiting forever, and the
  // owner hears of it, since this process can no longer deliver anything.
  void exited.then(() => {
    dead = true;
    for (const settle of waiting.values()) settle(THREAD_EXITED);
    waiting.clear();
    if (!closing) onDeath(lastError ?? new Error('sender thread exited unexpectedly'));
  });

  const outbox = perTurn<{ id: number; req: SendRequest }>((batch) => {
    if (dead) return; // the exit handler has settled these
    try {
      thread.postMessage({ type: 'send', batch } satisfies ToThread);
    } catch (err) {
      // Not clonable or the port is closing: these attempts fail (and are retried) rather than hang.
      const failed = { ...THREAD_EXITED, body: `could not reach the sender thread: ${String(err)}` };
      for (const { id } of batch) {
        waiting.get(id)?.(failed);
        waiting.delete(id);
      }
    }
  });

  return {
    send(req) {
      if (dead) return Promise.resolve(THREAD_EXITED);
      return new Promise<SendResult>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        outbox.push({ id, req });
      });
    },
    close() {
      closing ??= (async () => {
        outbox.flush();
        if (!dead) thread.postMessage({ type: 'close' } satisfies ToThread);
        await exited;
      })();
      return closing;
    },
    async terminate() {
      await thread.terminate();
      await exited;
    },
  };
}
