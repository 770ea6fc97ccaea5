import type { ClaimState, IdempotencyStore } from './guard.js';

/**
 * The part of an ioredis-compatible client this store uses; pass your own instance.
 * `eval(script, numKeys, ...keysAndArgs)` runs the compare-and-set and
 * compare-and-delete scripts of `complete` and `release` (ioredis's `eval` has this shape).
 */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  get(key: string): Promise<string | null>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Key prefix. Default `hookline:idempotency:`. */
  prefix?: string;
}

// KEYS[1] = key, ARGV[1] = 'pending:<token>', ARGV[2] = retention ms. Our own claim, or a key
// that expired with no one taking it over, becomes done; another claim or completion stays.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0`;

// KEYS[1] = key, ARGV[1] = 'pending:<token>': deletes the claim only if it is still ours.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Redis: a claim is `SET key pending:<token> PX lockMs NX` (atomic on the server);
 * completion turns it into `done` for the retention time and release deletes it,
 * both in a Lua script that first checks the claim is still this token's. Expiry is Redis's own.
 */
export function redisStore(client: RedisLike, options: RedisStoreOptions = {}): IdempotencyStore {
  const prefix = options.prefix ?? 'hookline:idempotency:';
  return {
    async claim(key, token, lockMs): Promise<ClaimState> {
      // A second pass covers a key that expired between the failed SET and the GET.
      for (let attempt = 0; attempt < 2; attempt++) {
        if ((await client.set(prefix + key, `pending:${token}`, 'PX', lockMs, 'NX')) === 'OK')
          return 'claimed';
        const state = await client.get(prefix + key);
        if (state === 'done') return 'completed';
        if (state !== null) return 'in_progress';
      }
      return 'in_progress';
    },
    async complete(key, token, retentionMs) {
      await client.eval(COMPLETE, 1, prefix + key, `pending:${token}`, retentionMs);
    },
    async release(key, token) {
      await client.eval(RELEASE, 1, prefix + key, `pending:${token}`);
    },
  };
}
