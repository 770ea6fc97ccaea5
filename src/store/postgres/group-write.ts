/**
 * Group commit for PostgreSQL: calls that arrive while earlier writes are in
 * flight (and those of the same event-loop turn) are written together by one
 * `writeMany`, one statement and one round trip for the lot, with at most
 * `parallel` such writes at a time (one more with `keyOf`). Under load the per-statement cost (a round
 * trip, parse/bind/execute, a commit and its WAL flush) is shared by the whole
 * batch; at a low rate a call goes out alone on the next turn, as before.
 *
 * A batch the database refused (one row's constraint error fails the whole
 * statement, and nothing of it is stored) is written again one call at a time
 * with `writeOne`, so each caller gets its own answer and nobody else's error.
 * A batch whose fate is unknown (the connection died) is not retried: every
 * caller gets that error, as a lone call would.
 */
export interface GroupWriteOptions<I, O> {
  writeMany(items: I[]): Promise<O[]>;
  writeOne(item: I): Promise<O>;
  /** Batches in flight at once (each holds one pooled connection), EXPRESS more with `keyOf`. */
  parallel: number;
  /** Cap on one batch: items... */
  maxItems: number;
  /** ...and their summed `sizeOf` (what one statement carries); a single larger item goes alone. */
  maxSize: number;
  sizeOf(item: I): number;
  /** Whether a failed `writeMany` certainly stored nothing, so retrying one by one is safe. */
  refused(error: unknown): boolean;
  /**
   * Whose call this is (a tenant). When calls queue up, a batch takes them in
   * turn across keys, so one key's thousand waiting calls do not go ahead of
   * another's one; and while every write is busy, calls of keys with none in
   * flight may go out in one more (EXPRESS), so a tenant whose flood keeps
   * every write busy adds one statement to another's call, not two. Without
   * it, first in, first out.
   */
  keyOf?(item: I): string;
}

/** Writes beyond `parallel` for keys with nothing in flight. */
const EXPRESS = 1;

interface Waiting<I, O> {
  item: I;
  resolve(o: O): void;
  reject(e: unknown): void;
}

export function groupWrite<I, O>(opts: GroupWriteOptions<I, O>): (item: I) => Promise<O> {
  let queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  const keyOf = (w: Waiting<I, O>): string => opts.keyOf?.(w.item) ?? '';
  /** Writes in flight per key: a call of a key absent here may take the express write. */
  const busyKeys = new Map<string, number>();
  const mayExpress = (w: Waiting<I, O>): boolean =>
    opts.keyOf !== undefined && inFlight < opts.parallel + EXPRESS && !busyKeys.has(keyOf(w));

  /** The next batch of `from`: calls in turn across keys (first in, first out within one), bounded by maxItems and maxSize. */
  const take = (from: Waiting<I, O>[]): Waiting<I, O>[] => {
    const lanes = new Map<string, Waiting<I, O>[]>();
    for (const w of from) {
      const key = keyOf(w);
      const lane = lanes.get(key);
      if (lane) lane.push(w);
      else lanes.set(key, [w]);
    }
    const batch: Waiting<I, O>[] = [];
    let size = 0;
    fill: for (let turn = 0; batch.length < from.length; turn++) {
      for (const lane of lanes.values()) {
        const w = lane[turn];
        if (!w) continue;
        size += opts.sizeOf(w.item);
        if (batch.length >= opts.maxItems || (batch.length > 0 && size > opts.maxSize)) break fill;
        batch.push(w);
      }
    }
    const taken = new Set(batch);
    queue = queue.filter((w) => !taken.has(w));
    return batch;
  };

  const write = async (batch: Waiting<I, O>[]): Promise<void> => {
    if (batch.length === 1) {
      const [w] = batch as [Waiting<I, O>];
      await opts.writeOne(w.item).then(w.resolve, w.reject);
      return;
    }
    let results: O[];
    try {
      results = await opts.writeMany(batch.map((w) => w.item));
    } catch (error) {
      if (!opts.refused(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // One at a time: a refused batch of 200 must not flood the connection pool.
      for (const w of batch) await opts.writeOne(w.item).then(w.resolve, w.reject);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(results[i]!);
  };

  const start = (batch: Waiting<I, O>[]): void => {
    inFlight++;
    const keys = new Set(batch.map(keyOf));
    for (const k of keys) busyKeys.set(k, (busyKeys.get(k) ?? 0) + 1);
    void write(batch).finally(() => {
      inFlight--;
      for (const k of keys) {
        const n = busyKeys.get(k)! - 1;
        if (n === 0) busyKeys.delete(k);
        else busyKeys.set(k, n);
      }
      flush();
    });
  };

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      if (inFlight < opts.parallel) {
        start(take(queue));
        continue;
      }
      const idle = queue.filter(mayExpress);
      if (idle.length === 0) return;
      start(take(idle));
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      const w = { item, resolve, reject };
      queue.push(w);
      if (!scheduled && (inFlight < opts.parallel || mayExpress(w))) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
