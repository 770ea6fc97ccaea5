import type { ClaimState, IdempotencyStore } from './guard.js';

export interface MemoryStoreOptions {
  /** Clock in ms, for tests; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * One process only (tests, single-instance apps). JavaScript runs each call to
 * completion, so check-and-set here is atomic without locks.
 */
export function memoryStore(options: MemoryStoreOptions = {}): IdempotencyStore & { size(): number } {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { done: boolean; expiresAt: number; owner: string }>();
  let claimsSinceSweep = 0;

  // Completed ids live for days; sweeping now and then keeps the map bounded by the live ones.
  function sweep(at: number) {
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  }

  return {
    async claim(key, token, lockMs): Promise<ClaimState> {
      const at = now();
      if (++claimsSinceSweep >= 1000) {
        claimsSinceSweep = 0;
        sweep(at);
      }
      const entry = entries.get(key);
      if (entry && entry.expiresAt > at) return entry.done ? 'completed' : 'in_progress';
      entries.set(key, { done: false, expiresAt: at + lockMs, owner: token });
      return 'claimed';
    },
    async complete(key, token, retentionMs) {
      const at = now();
      const entry = entries.get(key);
      // Another delivery's live claim (it took over after ours expired) or completion stays.
      if (entry && entry.owner !== token && entry.expiresAt > at) return;
      entries.set(key, { done: true, expiresAt: at + retentionMs, owner: token });
    },
    async release(key, token) {
      const entry = entries.get(key);
      if (entry?.done === false && entry.owner === token) entries.delete(key);
    },
    size: () => entries.size,
  };
}
