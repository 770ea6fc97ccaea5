import { describe, expect, it } from 'vitest';
import { fairCap } from '../core/policy.js';
import type { ClaimedDelivery } from '../store/store.js';
import { createFairShare } from './fair-share.js';

let seq = 0;
function claim(endpointId: string, over: Partial<ClaimedDelivery['endpoint']> = {}): ClaimedDelivery {
  seq++;
  return {
    deliveryId: `dlv_${seq}`,
    leaseToken: 'lease',
    attempts: 0,
    trigger: 'scheduled',
    message: {
      id: `msg_${seq}`,
      appId: 'app',
      eventType: 'e',
      payload: '{}',
      createdAt: new Date(),
      traceparent: null,
    },
    endpoint: {
      id: endpointId,
      url: 'http://receiver.test/',
      headers: {},
      secrets: [],
      rateLimit: null,
      maxInFlight: null,
      fairCap: null,
      ordered: false,
      ...over,
    },
  };
}
const many = (n: number, endpointId: string, over: Partial<ClaimedDelivery['endpoint']> = {}) =>
  Array.from({ length: n }, () => claim(endpointId, over));
const ids = (cs: ClaimedDelivery[]) => cs.map((c) => c.endpoint.id);

describe('fairCap', () => {
  it('keeps the whole share for receivers answering within a second, less for slower ones, never under 2', () => {
    expect(fairCap(16, null)).toBe(16);
    expect(fairCap(16, 800)).toBe(16);
    expect(fairCap(16, 2000)).toBe(8);
    expect(fairCap(16, 14_900)).toBe(2);
    expect(fairCap(16, 3_600_000)).toBe(2);
    expect(fairCap(1, 14_900)).toBe(1); // never more than the share itself
  });
});

describe('fair share of a worker', () => {
  it("starts an endpoint's claims up to its share, hands the rest back and caps it once", () => {
    const fair = createFairShare(4, 64);
    const batch = [...many(10, 'slow'), ...many(3, 'healthy')];
    const { start, handBack, caps } = fair.admit(batch);
    expect(ids(start)).toEqual([...Array(4).fill('slow'), 'healthy', 'healthy', 'healthy']);
    expect(handBack).toHaveLength(6);
    expect(ids(handBack)).toEqual(Array(6).fill('slow'));
    expect(caps).toEqual([{ endpointId: 'slow', cap: 4 }]);
    // Four in flight of a cap of 4: no room for a claim yet; an uncapped endpoint is never waited for.
    expect(fair.roomFor('slow')).toBe(false);
    fair.ended(start[0]!, 5);
    expect(fair.roomFor('slow')).toBe(true);
    expect(fair.roomFor('healthy')).toBe(false);
  });

  it('counts across batches, and an ended attempt frees its slot', () => {
    const fair = createFairShare(2, 64);
    expect(fair.admit(many(1, 'ep')).start).toHaveLength(1);
    const [second] = fair.admit(many(1, 'ep')).start;
    expect(fair.admit(many(1, 'ep')).handBack).toHaveLength(1);
    fair.ended(second!, 5);
    const again = fair.admit(many(1, 'ep'));
    expect(again.start).toHaveLength(1);
  });

  it('keeps the last share of free slots for endpoints with nothing in flight', () => {
    // 12 slots, a share of 4: three endpoints with backlogs, each within its share, would fill the worker.
    const fair = createFairShare(4, 12);
    expect(fair.reserve).toBe(4);
    const { start, handBack, caps } = fair.admit([
      ...many(4, 'a'),
      ...many(4, 'b'),
      ...many(4, 'c'),
      claim('d'),
    ]);
    // c gets its first slot (it had none), not the rest of the reserve; d, with none in flight, still gets one.
    expect(ids(start)).toEqual([...Array(4).fill('a'), ...Array(4).fill('b'), 'c', 'd']);
    expect(ids(handBack)).toEqual(['c', 'c', 'c']);
    expect(caps).toEqual([{ endpointId: 'c', cap: 4 }]);
    // A newcomer takes a reserved slot; a busy endpoint does not, until slots are freed.
    expect(fair.admit([claim('e')]).start).toHaveLength(1);
    expect(fair.admit([claim('a', { fairCap: null })]).handBack).toHaveLength(1);
    // 11 of 12 busy; two attempts end: 3 free, still within the reserve; two more: 5 free.
    for (const c of start.slice(0, 2)) fair.ended(c, 5);
    expect(fair.admit([claim('b')]).handBack).toHaveLength(1);
    for (const c of start.slice(4, 6)) fair.ended(c, 5);
    expect(ids(fair.admit([claim('b')]).start)).toEqual(['b']);
  });

  it('gives an uncapped endpoint seen to be slow fewer slots, before it ever fills its share', () => {
    const fair = createFairShare(16, 64);
    const [first] = fair.admit(many(1, 'slow')).start;
    fair.ended(first!, 14_900);
    const { start, caps } = fair.admit(many(10, 'slow'));
    expect(start).toHaveLength(2);
    expect(caps).toEqual([{ endpointId: 'slow', cap: 2 }]);
  });

  it('keeps nothing in reserve when fair sharing is off or one share is the whole worker', () => {
    expect(createFairShare(0, 64).reserve).toBe(0);
    expect(createFairShare(4, 4).reserve).toBe(0);
  });

  it('leaves endpoints with their own rule (maxInFlight, ordered) and capped ones to the store', () => {
    const fair = createFairShare(2, 64);
    expect(fair.admit(many(5, 'capped-by-operator', { maxInFlight: 50 })).handBack).toEqual([]);
    expect(fair.admit(many(5, 'ordered', { ordered: true })).handBack).toEqual([]);
    // The store hands a capped endpoint at most its cap (2).
    const capped = fair.admit(many(2, 'fair-capped', { fairCap: 2 }));
    expect(capped.handBack).toEqual([]);
    expect(capped.caps).toEqual([]);
    expect(fair.roomFor('fair-capped')).toBe(false);
    fair.ended(capped.start[0]!, 5);
    expect(fair.roomFor('fair-capped')).toBe(true);
  });

  it('caps again an endpoint the store has uncapped since, so what it hands back is parked', () => {
    const fair = createFairShare(1, 64);
    expect(fair.admit(many(2, 'ep')).caps).toEqual([{ endpointId: 'ep', cap: 1 }]);
    // Its backlog drained and the store cleared the cap (unshare); a new burst arrives uncapped.
    expect(fair.admit(many(2, 'ep')).caps).toEqual([{ endpointId: 'ep', cap: 1 }]);
  });

  it("lowers a capped endpoint's cap as its latency shows it slow, at most once a second", () => {
    let t = 0;
    const fair = createFairShare(16, 64, () => t);
    const batch = fair.admit(many(20, 'slow'));
    expect(batch.caps).toEqual([{ endpointId: 'slow', cap: 16 }]);
    t = 15_000;
    expect(fair.ended(batch.start[0]!, 14_900)).toEqual({ endpointId: 'slow', cap: 2 });
    // The same cap is not asked for again, and not sooner than a second later.
    expect(fair.ended(batch.start[1]!, 14_900)).toBeNull();
    t = 15_500;
    expect(fair.ended(batch.start[2]!, 100)).toBeNull();
    // Recovering: the average comes down with fast answers, the cap goes back up.
    let cap: ReturnType<typeof fair.ended> = null;
    for (const c of batch.start.slice(3)) {
      t += 1_001;
      cap = fair.ended(c, 100) ?? cap;
    }
    expect(cap).toEqual({ endpointId: 'slow', cap: 16 });
  });

  it('lends idle slots to capped endpoints seen answering fast, never to slow or unmeasured ones', () => {
    const fair = createFairShare(8, 64);
    const fast = fair.admit(many(10, 'fast')).start;
    const slow = fair.admit(many(10, 'slow')).start;
    fair.admit(many(10, 'unmeasured'));
    fair.admit(many(1, 'uncapped'));
    expect(fair.terms()).toEqual({ keepFree: 8, borrowers: [] }); // no latency known yet
    fair.ended(fast[0]!, 40);
    fair.ended(slow[0]!, 14_900);
    expect(fair.terms()).toEqual({ keepFree: 8, borrowers: ['fast'] });
    // A fast endpoint wants a claim after every completion (it may borrow); a slow one (7 of 8 in flight)
    // waits for a quarter of its cap.
    expect(fair.roomFor('fast')).toBe(true);
    expect(fair.roomFor('slow')).toBe(false);
    // Slowing down ends the loan.
    for (const c of fast.slice(1)) fair.ended(c, 2_000);
    expect(fair.terms()?.borrowers).toEqual([]);
    expect(createFairShare(0, 64).terms()).toBeUndefined();
  });

  it('forgets a capped endpoint once a claim shows the store uncapped it: no longer a borrower', () => {
    const fair = createFairShare(8, 64);
    const [first] = fair.admit(many(1, 'ep', { fairCap: 8 })).start;
    fair.ended(first!, 40);
    expect(fair.terms()?.borrowers).toEqual(['ep']);
    expect(fair.roomFor('ep')).toBe(true);
    // Its cap held nothing back and the store cleared it (unshare): claims now carry none.
    fair.admit(many(1, 'ep'));
    expect(fair.terms()?.borrowers).toEqual([]);
    expect(fair.roomFor('ep')).toBe(false);
    // Capped again in the same batch that showed it uncapped: tracked again at once.
    expect(fair.admit(many(9, 'ep')).caps).toEqual([{ endpointId: 'ep', cap: 8 }]);
    expect(fair.roomFor('ep')).toBe(true);
  });

  it('with a share of 0 (off) starts everything and caps nothing', () => {
    const fair = createFairShare(0, 64);
    const { start, handBack, caps } = fair.admit(many(100, 'ep'));
    expect(start).toHaveLength(100);
    expect(handBack).toEqual([]);
    expect(caps).toEqual([]);
    expect(fair.ended(start[0]!, 60_000)).toBeNull();
  });
});
