import { describe, expect, it } from 'vitest';
import { createLeaseKeeper } from './leases.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lease keeper', () => {
  it('renews only leases held for a third of the lease, in one call, and forgets lost ones', async () => {
    const calls: string[][] = [];
    const lost: string[][] = [];
    const keeper = createLeaseKeeper({
      renew: async (claims) => {
        calls.push(claims.map((c) => `${c.deliveryId}:${c.leaseToken}`));
        return ['b'];
      },
      leaseMs: 600, // renew period 200 ms: wide margins on a busy machine
      onLost: (ids) => lost.push(ids),
      onError: () => {},
    });
    keeper.hold('a', 't1');
    keeper.hold('b', 't1');
    await keeper.tick();
    expect(calls).toEqual([]); // just claimed: nothing to renew yet
    await sleep(210);
    keeper.hold('c', 't2'); // too young for this round
    await keeper.tick();
    expect(calls).toEqual([['a:t1', 'b:t1']]);
    expect(lost).toEqual([['b']]);
    await sleep(210);
    await keeper.tick();
    expect(calls[1]).toEqual(['a:t1', 'c:t2']);
  });

  it('release with a stale token keeps the newer claim', async () => {
    const calls: string[][] = [];
    const keeper = createLeaseKeeper({
      renew: async (claims) => {
        calls.push(claims.map((c) => c.leaseToken));
        return [];
      },
      leaseMs: 3,
      onLost: () => {},
      onError: () => {},
    });
    keeper.hold('a', 'old');
    keeper.hold('a', 'new');
    keeper.release('a', 'old');
    await sleep(5);
    await keeper.tick();
    expect(calls).toEqual([['new']]);
    keeper.release('a', 'new');
    await sleep(5);
    await keeper.tick();
    expect(calls).toHaveLength(1);
  });

  it('reports renewal errors and keeps going', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let renewed = 0;
    const keeper = createLeaseKeeper({
      renew: async (claims) => {
        if (fail) throw new Error('locked');
        renewed += claims.length;
        return [];
      },
      leaseMs: 3,
      onLost: () => {},
      onError: (e) => errors.push(e),
    });
    keeper.hold('a', 't');
    await sleep(5);
    await keeper.tick();
    fail = false;
    await keeper.tick();
    expect(errors).toHaveLength(1);
    expect(renewed).toBe(1);
  });
});
