import type { Db } from './db.js';

/** What one item of a shared transaction came to. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Writes several items in ONE immediate transaction, each with an outcome of
 * its own: an item that throws an error `isOwn` accepts leaves nothing
 * behind and the others commit; any other error rolls back the whole
 * transaction and is thrown, as is a failed COMMIT (nothing is stored).
 *
 * First without savepoints, then, only if an item threw, again from the start
 * with each item in its own savepoint (better-sqlite3 nests `transaction()` as
 * savepoints). SQLite copies every page a savepoint touches to a sub-journal
 * that spills to a temporary file past 64 KiB: for a group of 64 accepts that
 * was ~45 KB of file writes per message and a quarter of the store's CPU per
 * delivery (bench:store), paid for errors that almost never happen.
 */
export function writeEach<I, O>(
  db: Db,
  write: (item: I) => O,
  isOwn: (error: unknown, item: I) => boolean = () => true,
): (items: readonly I[]) => Outcome<O>[] {
  let itemFailed = false;
  const all = db.transaction((items: readonly I[]): Outcome<O>[] =>
    items.map((item) => {
      try {
        return { ok: true, value: write(item) };
      } catch (error) {
        itemFailed = true;
        throw error;
      }
    }),
  );
  const one = db.transaction(write);
  const each = db.transaction((items: readonly I[]): Outcome<O>[] =>
    items.map((item) => {
      try {
        return { ok: true, value: one(item) };
      } catch (error) {
        if (!isOwn(error, item)) throw error;
        return { ok: false, error };
      }
    }),
  );
  return (items) => {
    itemFailed = false;
    try {
      return all.immediate(items);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing is stored, and every item gets the error.
      if (!itemFailed) throw error;
      // Rolled back whole; `each` tells the failing items from the rest (or throws again).
      return each.immediate(items);
    }
  };
}

/**
 * Group commit for small write transactions: calls made in the same turn of
 * the event loop are written in one transaction (writeEach), so one call's
 * error fails only that call. Every promise settles after the shared COMMIT,
 * so a caller is still only told "stored" once it is durable. The saving is
 * the per-transaction cost of BEGIN/COMMIT and the WAL frame writes, which
 * dominates an insert of one message and its deliveries.
 */
export function groupCommit<I, O>(db: Db, write: (item: I) => O): (item: I) => Promise<O> {
  const writeAll = writeEach(db, write);
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];

  const flush = () => {
    const batch = queue;
    queue = [];
    let outcomes: Outcome<O>[];
    try {
      outcomes = writeAll(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ item, resolve, reject });
    });
}
