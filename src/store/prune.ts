import type { Store } from './store.js';

export interface PruneOptions {
  /** Messages deleted per statement; each batch is its own short transaction. */
  batchSize?: number;
  /** Pause between batches, so pruning a large backlog leaves room for the hot path. */
  pauseMs?: number;
  /** Called after each batch with the running total. */
  onBatch?: (deleted: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Deletes every message created before `cutoff` (with its deliveries and
 * attempts) in bounded batches until none is left; returns how many. Messages
 * whose deliveries are not finished are skipped (MessageRepo.prune). Shared
 * by `hookline prune` and any periodic retention job, on either backend.
 */
export async function pruneOlderThan(store: Store, cutoff: Date, opts: PruneOptions = {}): Promise<number> {
  const batch = opts.batchSize ?? 1000;
  let total = 0;
  for (;;) {
    if (opts.signal?.aborted) return total;
    const deleted = await store.messages.prune(cutoff, batch);
    total += deleted;
    if (deleted > 0) opts.onBatch?.(deleted, total);
    if (deleted < batch) return total;
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
}
