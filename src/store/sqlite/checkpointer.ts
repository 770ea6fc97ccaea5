import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';

/** How often the thread checkpoints: the WAL holds about this long of writes between them. */
const CHECKPOINT_EVERY_MS = 100;
/**
 * The main connection's own automatic checkpoint, kept as a safety net: if
 * the thread falls behind (a reader holding an old snapshot) or is gone, the
 * WAL still stops growing here (about 40 MB), as SQLite's default 1,000 pages
 * would have stopped it at 4 MB.
 */
const SAFETY_NET_PAGES = 10_000;

/**
 * The thread's whole program, plain JavaScript run with `eval`: it needs no
 * TypeScript loader, so it starts in milliseconds under tests as in the
 * build. Its own connection, one PASSIVE checkpoint per tick: PASSIVE never
 * waits for the writer nor blocks it. A failed tick (the file busy opening) is
 * tried again at the next.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const tick = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(tick);
  db.close();
  parentPort.close();
});`;

export interface Checkpointer {
  /** Stops the thread and closes its connection; the store closes its own after. */
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the main thread. SQLite checkpoints inside the
 * commit that crosses `wal_autocheckpoint`: every ~4 MB of writes one commit
 * copies the WAL into the database and fsyncs both, and with the API, the
 * worker loop and every transaction on that one thread, everything waits
 * for it (`npm run bench:peers`: p99 accept-to-delivery at 500/s 12.3 ms
 * with, 6.0 ms without; deliveries/s +16%). A thread with its own connection
 * checkpoints instead; the main connection's threshold stays as a safety net.
 * If the thread dies, nothing else changes: the safety net checkpoints as
 * before, only less often.
 */
export function startCheckpointer(db: Db): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { driver, path: db.name, everyMs: CHECKPOINT_EVERY_MS },
  });
  thread.unref(); // a store left open (a test that forgot close()) must not keep the process alive
  thread.on('error', () => {}); // the safety net above carries on
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        // Held while it stops: an unreferenced thread would let the process end mid-close().
        thread.ref();
        thread.postMessage('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
