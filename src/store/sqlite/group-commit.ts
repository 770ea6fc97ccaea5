import type { Db } from './db.js';

/** What one item of a shared transaction came to. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/**
 * Handed to every item of one transaction, new for each: reads the items
 * share and that none of them changes (the endpoints a message goes to, for
 * a group of accepts) are made once per transaction.
 */
export type Shared = Map<string, unknown>;

/**
 * Writes several items in ONE immediate transaction, each with an outcome of
 * its own: an item that throws an error `isOwn` accepts leaves nothing
 * behind and the others commit; any other error, one that ends the
 * transaction (SQLite's own rollback on a full disk) and a failed COMMIT are
 * thrown, and nothing of the items is stored.
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
  write: (item: I, shared: Shared) => O,
  isOwn: (error: unknown, item: I) => boolean = () => true,
): (items: readonly I[]) => Outcome<O>[] {
  // Whether the first pass failed on an item and the transaction outlived the error:
  // SQLite rolls a whole transaction back by itself on some errors (a full disk), and
  // then a second pass would fail the same way.
  let worthRetrying = false;
  const all = db.transaction((items: readonly I[], shared: Shared): Outcome<O>[] =>
    items.map((item) => {
      try {
        return { ok: true, value: write(item, shared) };
      } catch (error) {
        worthRetrying = db.inTransaction;
        throw error;
      }
    }),
  );
  const one = db.transaction(write);
  const each = db.transaction((items: readonly I[], shared: Shared): Outcome<O>[] =>
    items.map((item) => {
      try {
        return { ok: true, value: one(item, shared) };
      } catch (error) {
        // An error that ended the transaction is everyone's: the next item would
        // otherwise run, and commit, on its own.
        if (!db.inTransaction || !isOwn(error, item)) throw error;
        return { ok: false, error };
      }
    }),
  );
  return (items) => {
    worthRetrying = false;
    try {
      return all.immediate(items, new Map());
    } catch (error) {
      // BEGIN or COMMIT failed, or an error ended the transaction: nothing is stored, every item gets it.
      if (!worthRetrying) throw error;
      // Rolled back whole; `each` tells the failing items from the rest (or throws again).
      return each.immediate(items, new Map());
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
export function groupCommit<I, O>(db: Db, write: (item: I, shared: Shared) => O): (item: I) => Promise<O> {
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
