import type { Db } from './db.js';

/**
 * Group commit for small write transactions. Calls made in the same turn of
 * the event loop are written in ONE transaction, each inside its own savepoint
 * (better-sqlite3 nests `transaction()` as savepoints), so one call's
 * constraint error rolls back only that call. Every promise settles after the
 * shared COMMIT, so a caller is still only told "stored" once it is durable.
 * The saving is the per-transaction cost of BEGIN/COMMIT and the WAL frame
 * writes, which dominates an insert of one message and its deliveries.
 */
export function groupCommit<I, O>(db: Db, write: (item: I) => O): (item: I) => Promise<O> {
  const one = db.transaction(write);
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];

  const flush = () => {
    const batch = queue;
    queue = [];
    const outcomes: ({ ok: true; value: O } | { ok: false; error: unknown })[] = [];
    try {
      db.transaction(() => {
        for (const w of batch) {
          try {
            outcomes.push({ ok: true, value: one(w.item) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      // The COMMIT itself failed: nothing of the batch is stored.
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
