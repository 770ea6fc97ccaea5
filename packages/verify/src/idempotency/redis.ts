import type { ClaimState, IdempotencyStore } from './guard.js';

/** The part of an ioredis-compatible client this store uses; pass your own instance. */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

export interface RedisStoreOptions {
  /** Key prefix. Default `hookline:idempotency:`. */
  prefix?: string;
}

/**
 * Redis: a claim is `SET key pending PX lockMs NX` (atomic on the server);
 * completion overwrites it with `done` for the retention time. Expiry is Redis's own.
 */
export function redisStore(client: RedisLike, options: RedisStoreOptions = {}): IdempotencyStore {
  const prefix = options.prefix ?? 'hookline:idempotency:';
  return {
    async claim(key, lockMs): Promise<ClaimState> {
      // A second pass covers a key that expired between the failed SET and the GET.
      for (let attempt = 0; attempt < 2; attempt++) {
        if ((await client.set(prefix + key, 'pending', 'PX', lockMs, 'NX')) === 'OK') return 'claimed';
        const state = await client.get(prefix + key);
        if (state === 'done') return 'completed';
        if (state !== null) return 'in_progress';
      }
      return 'in_progress';
    },
    async complete(key, retentionMs) {
      await client.set(prefix + key, 'done', 'PX', retentionMs);
    },
    async release(key) {
      await client.del(prefix + key);
    },
  };
}
