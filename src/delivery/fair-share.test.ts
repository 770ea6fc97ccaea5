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
    const fair = createFairShare(4);
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
    const fair = createFairShare(2);
    expect(fair.admit(many(1, 'ep')).start).toHaveLength(1);
    const [second] = fair.admit(many(1, 'ep')).start;
    expect(fair.admit(many(1, 'ep')).handBack).toHaveLength(1);
    fair.ended(second!, 5);
    const again = fair.admit(many(1, 'ep'));
    expect(again.start).toHaveLength(1);
  });

  it('leaves endpoints with their own rule (maxInFlight, ordered) and capped ones to the store', () => {
    const fair = createFairShare(2);
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
    const fair = createFairShare(1);
    expect(fair.admit(many(2, 'ep')).caps).toEqual([{ endpointId: 'ep', cap: 1 }]);
    // Its backlog drained and the store cleared the cap (unshare); a new burst arrives uncapped.
    expect(fair.admit(many(2, 'ep')).caps).toEqual([{ endpointId: 'ep', cap: 1 }]);
  });

  it("lowers a capped endpoint's cap as its latency shows it slow, at most once a second", () => {
    let t = 0;
    const fair = createFairShare(16, () => t);
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
    const fair = createFairShare(8);
    const fast = fair.admit(many(10, 'fast')).start;
    const slow = fair.admit(many(10, 'slow')).start;
    fair.admit(many(10, 'unmeasured'));
    fair.admit(many(1, 'uncapped'));
    expect(fair.borrow()).toBeUndefined(); // no latency known yet
    fair.ended(fast[0]!, 40);
    fair.ended(slow[0]!, 14_900);
    expect(fair.borrow()).toEqual({ endpointIds: ['fast'], keepFree: 8 });
    // A fast endpoint wants a claim after every completion (it may borrow); a slow one (7 of 8 in flight)
    // waits for a quarter of its cap.
    expect(fair.roomFor('fast')).toBe(true);
    expect(fair.roomFor('slow')).toBe(false);
    // Slowing down ends the loan.
    for (const c of fast.slice(1)) fair.ended(c, 2_000);
    expect(fair.borrow()).toBeUndefined();
    expect(createFairShare(0).borrow()).toBeUndefined();
  });

  it('with a share of 0 (off) starts everything and caps nothing', () => {
    const fair = createFairShare(0);
    const { start, handBack, caps } = fair.admit(many(100, 'ep'));
    expect(start).toHaveLength(100);
    expect(handBack).toEqual([]);
    expect(caps).toEqual([]);
    expect(fair.ended(start[0]!, 60_000)).toBeNull();
  });
});
