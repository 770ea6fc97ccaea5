import type { AttemptResult, HealthNews } from '../store/store.js';

export interface RecorderOptions {
  /** One transaction for the whole batch (store.queue.recordAttempts). */
  record: (results: AttemptResult[]) => Promise<HealthNews>;
  /** Write as soon as this many results wait. */
  maxBatch: number;
  /** Otherwise write this long after the first result arrived. */
  delayMs: number;
  /** After each stored batch, with the breakers and disables it changed. */
  onRecorded: (results: AttemptResult[], news: HealthNews) => void;
  onError: (error: unknown, retryInMs: number) => void;
}

export interface Recorder {
  add(result: AttemptResult): void;
  /** Results not yet stored (waiting or being written); their leases are still ours. */
  pending(): AttemptResult[];
  /** True after a failed write until one succeeds; the worker stops claiming meanwhile. */
  readonly failing: boolean;
  /** Writes everything now, retrying failures until `deadline` (epoch ms); true when all were stored. */
  drain(deadline: number): Promise<boolean>;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Group commit for attempt results. One transaction per attempt is the main
 * cost at thousands of deliveries per second, so results wait a few ms (or
 * until a batch fills) and go in one recordAttempts call. While a write runs,
 * new results queue and go in the next one. A failed write keeps its results
 * and retries with backoff; if the process dies first, the leases expire and
 * the deliveries are sent again (at-least-once).
 */
export function createRecorder(opts: RecorderOptions): Recorder {
  let buffer: AttemptResult[] = [];
  let writing: AttemptResult[] | null = null;
  let writePromise: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  function clearTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function backoffMs(): number {
    return Math.min(50 * 2 ** failures, MAX_BACKOFF_MS);
  }

  function schedule(delayMs: number): void {
    if (writePromise || buffer.length === 0) return;
    if (failures === 0 && (buffer.length >= opts.maxBatch || delayMs === 0)) {
      clearTimer();
      void write();
      return;
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void write();
    }, delayMs);
  }

  function write(): Promise<boolean> {
    if (writePromise) return writePromise;
    if (buffer.length === 0) return Promise.resolve(true);
    const batch = buffer.splice(0, opts.maxBatch);
    writing = batch;
    writePromise = (async () => {
      let news: HealthNews;
      try {
        news = await opts.record(batch);
      } catch (err) {
        failures++;
        buffer = batch.concat(buffer);
        writing = null;
        writePromise = null;
        const retryIn = backoffMs();
        opts.onError(err, retryIn);
        clearTimer();
        timer = setTimeout(() => {
          timer = null;
          void write();
        }, retryIn);
        return false;
      }
      failures = 0;
      writing = null;
      writePromise = null;
      opts.onRecorded(batch, news);
      // Whatever queued during the write has already waited; write it now.
      schedule(0);
      return true;
    })();
    return writePromise;
  }

  return {
    add(result) {
      buffer.push(result);
      schedule(opts.delayMs);
    },
    pending: () => (writing ? writing.concat(buffer) : buffer.slice()),
    get failing() {
      return failures > 0;
    },
    async drain(deadline) {
      for (;;) {
        if (writePromise) {
          await writePromise;
          continue;
        }
        clearTimer();
        if (buffer.length === 0) return true;
        if (Date.now() >= deadline) return false;
        if (!(await write())) {
          clearTimer();
          const wait = Math.min(backoffMs(), Math.max(0, deadline - Date.now()));
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    },
  };
}
