import type { ResealBatch, Store } from './store.js';

export interface ResealOptions {
  /** Reseal everything not under the primary key (rotation); otherwise only clear text (start-up). */
  rotate: boolean;
  /** Endpoints per batch; each batch is its own short transaction. */
  batchSize?: number;
  /** Pause between batches, leaving room for the live API and workers. */
  pauseMs?: number;
  /** Called after each batch, with the running totals. */
  onBatch?: (batch: ResealBatch, totals: { read: number; resealed: number; batches: number }) => void;
  signal?: AbortSignal;
}

/**
 * Walks every endpoint in id order, one batch (EndpointRepo.reseal) at a
 * time, until none is left; returns the totals. Online: rows written by the
 * API meanwhile are sealed under the primary key already, and each batch
 * locks only its own rows for one short transaction. Shared by `hookline
 * serve` (sealing clear-text rows at start, which also checks that every
 * stored key id is given) and `hookline rotate-encryption-key`.
 */
export async function resealAll(store: Store, opts: ResealOptions) {
  const limit = opts.batchSize ?? 500;
  const totals = { read: 0, resealed: 0, batches: 0 };
  let after: string | null = null;
  for (;;) {
    if (opts.signal?.aborted) return totals;
    const batch: ResealBatch = await store.endpoints.reseal({ after, limit, rotate: opts.rotate });
    if (batch.read === 0) return totals;
    totals.read += batch.read;
    totals.resealed += batch.resealed;
    totals.batches++;
    opts.onBatch?.(batch, totals);
    if (batch.read < limit) return totals;
    after = batch.last;
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
}
