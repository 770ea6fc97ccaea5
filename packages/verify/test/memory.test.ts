import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCK_MS,
  DEFAULT_RETENTION_MS,
  type IdempotencyStore,
  createIdempotencyGuard,
  memoryStore,
} from '@hookline/verify';
import { idempotencyStoreSuite } from './store-suite.js';

describe('memory store', () => {
  // One process: every "process" of the suite shares the same instance.
  const store = memoryStore();
  idempotencyStoreSuite(() => store);

  it('sweeps expired entries so the map stays bounded', async () => {
    let now = 0;
    const local = memoryStore({ now: () => now });
    // The 1000th claim triggers a sweep.
    for (let i = 0; i < 999; i++) await local.claim(`id-${i}`, 't', 10);
    now = 100;
    await local.claim('after', 't', 10);
    expect(local.size()).toBeLessThan(10);
  });
});

describe('idempotency guard', () => {
  function recording(): IdempotencyStore & { calls: string[]; tokens: string[] } {
    const inner = memoryStore();
    const calls: string[] = [];
    const tokens: string[] = [];
    return {
      calls,
      tokens,
      claim(key, token, lockMs) {
        calls.push(`claim ${lockMs}`);
        tokens.push(token);
        return inner.claim(key, token, lockMs);
      },
      complete(key, token, retentionMs) {
        calls.push(`complete ${retentionMs}`);
        tokens.push(token);
        return inner.complete(key, token, retentionMs);
      },
      release(key, token) {
        calls.push('release');
        tokens.push(token);
        return inner.release(key, token);
      },
    };
  }

  it('remembers completed ids for 7 days and locks claims for 2 minutes by default', async () => {
    expect(DEFAULT_RETENTION_MS).toBe(7 * 24 * 60 * 60 * 1000);
    expect(DEFAULT_LOCK_MS).toBe(2 * 60 * 1000);
    const store = recording();
    await createIdempotencyGuard(store).once('a', () => {});
    expect(store.calls).toEqual([`claim ${DEFAULT_LOCK_MS}`, `complete ${DEFAULT_RETENTION_MS}`]);
  });

  it('uses the configured retention and releases on failure', async () => {
    const store = recording();
    const guard = createIdempotencyGuard(store, { retentionMs: 1000, lockMs: 500 });
    await guard.once('a', () => {});
    await expect(
      guard.once('b', () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(store.calls).toEqual(['claim 500', 'complete 1000', 'claim 500', 'release']);
  });

  it('gives each delivery its own random token and finishes the claim with it', async () => {
    const store = recording();
    const guard = createIdempotencyGuard(store);
    await guard.once('a', () => {});
    await expect(
      guard.once('b', () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const [claimA, completeA, claimB, releaseB] = store.tokens;
    expect(claimA).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(completeA).toBe(claimA);
    expect(releaseB).toBe(claimB);
    expect(claimB).not.toBe(claimA);
  });

  it('rejects an empty id and invalid durations', async () => {
    const guard = createIdempotencyGuard(memoryStore());
    await expect(guard.once('', () => {})).rejects.toThrow(TypeError);
    expect(() => createIdempotencyGuard(memoryStore(), { retentionMs: 0 })).toThrow(RangeError);
    expect(() => createIdempotencyGuard(memoryStore(), { lockMs: 1.5 })).toThrow(RangeError);
  });
});
