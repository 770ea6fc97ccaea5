import { beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedDelivery, Store } from '../../src/store/store.js';
import { attemptResult, endpointInput, POLICY } from '../helpers/fixtures.js';
import type { Conformance } from './conformance.js';

const LEASE = 60_000;
const lease = (c: ClaimedDelivery) => ({ deliveryId: c.deliveryId, leaseToken: c.leaseToken });

/**
 * Fair sharing's store half (DeliveryQueue.shareSlots / unshare), run by
 * storeConformance on every backend: a cap set by one worker holds every
 * claim to it, handed-back leases are due again at once, and the cap goes
 * once it holds nothing back.
 */
export function fairShareConformance(t: Conformance) {
  const { newApp, send } = t;
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });
  const claim = (limit: number) => store.queue.claimDue({ limit, leaseMs: LEASE });

  describe('fair share caps', () => {
    it("hold an endpoint to its cap across claims, hand leases back, and leave other endpoints' claims alone", async () => {
      const app = await newApp();
      const busy = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['busy'] }));
      for (let i = 0; i < 10; i++) await send(app.id, 'busy');
      const first = await claim(10);
      expect(first).toHaveLength(10);
      // A worker keeps 3, hands 7 back and caps the endpoint at 3.
      await store.queue.shareSlots([{ endpointId: busy.id, cap: 3 }], first.slice(3).map(lease));
      const other = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['other'] }));
      await send(app.id, 'other');
      // 3 in flight already: the busy endpoint gets nothing more; the other endpoint's message is claimed.
      const second = await claim(10);
      expect(second.map((c) => c.endpoint.id)).toEqual([other.id]);
      // A lease of the three ends (expires): exactly one more may go.
      await store.queue.shareSlots([], [lease(first[0]!)]);
      const third = await claim(10);
      expect(third).toHaveLength(1);
      // Claims carry the cap: the worker learns it from them.
      expect(third[0]!.endpoint).toMatchObject({ id: busy.id, fairCap: 3 });
    });

    it('move with the worker (lowered), and never replace an in-flight cap or ordering the operator set', async () => {
      const app = await newApp();
      const slow = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['slow'] }));
      const own = await store.endpoints.create(
        app.id,
        endpointInput({ filterTypes: ['own'], maxInFlight: 5 }),
      );
      for (let i = 0; i < 6; i++) await send(app.id, 'slow');
      for (let i = 0; i < 6; i++) await send(app.id, 'own');
      await store.queue.shareSlots(
        [
          { endpointId: slow.id, cap: 4 },
          { endpointId: own.id, cap: 1 },
        ],
        [],
      );
      await store.queue.shareSlots([{ endpointId: slow.id, cap: 2 }], []);
      const claimed = await claim(20);
      const of = (id: string) => claimed.filter((c) => c.endpoint.id === id);
      expect(of(slow.id)).toHaveLength(2);
      expect(of(own.id)).toHaveLength(5);
      expect(of(own.id)[0]!.endpoint.fairCap).toBeNull();
    });

    it('are cleared once they hold nothing back (fewer open than the cap), or all at once when fair sharing is off', async () => {
      const app = await newApp();
      const drained = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['drained'] }));
      const roomy = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['roomy'] }));
      const backlog = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['backlog'] }));
      await send(app.id, 'drained');
      for (let i = 0; i < 3; i++) await send(app.id, 'roomy');
      await send(app.id, 'backlog');
      await send(app.id, 'backlog');
      await store.queue.shareSlots(
        [
          { endpointId: drained.id, cap: 1 },
          { endpointId: roomy.id, cap: 3 },
          { endpointId: backlog.id, cap: 1 },
        ],
        [],
      );
      const claimed = await claim(10);
      const of = (id: string) => claimed.filter((c) => c.endpoint.id === id);
      expect([of(drained.id), of(roomy.id), of(backlog.id)].map((c) => c.length)).toEqual([1, 3, 1]);
      await store.queue.recordAttempts(
        [...of(drained.id), of(roomy.id)[0]!].map((c) => attemptResult(c, { kind: 'success' })),
        POLICY,
      );
      // Drained has nothing open, roomy 2 sending under its cap of 3: both caps hold nothing back.
      expect(await store.queue.unshare({ unusedOnly: true })).toBe(2);
      // The endpoint with as many open as its cap (one sending, one pending) keeps it...
      await store.queue.shareSlots([], of(backlog.id).map(lease));
      await send(app.id, 'roomy');
      const after = await claim(10);
      expect(after.map((c) => [c.endpoint.id, c.endpoint.fairCap])).toEqual(
        expect.arrayContaining([
          [backlog.id, 1],
          [roomy.id, null],
        ]),
      );
      expect(after).toHaveLength(2);
      // ...until fair sharing is turned off.
      expect(await store.queue.unshare({ unusedOnly: false })).toBe(1);
      expect(await store.queue.unshare({ unusedOnly: false })).toBe(0);
    });
  });

  describe('borrowing idle slots beyond a fair-share cap', () => {
    it('lends all the rest of the queue leaves to the named capped endpoints only; `keepFree` bounds the caps alone', async () => {
      const app = await newApp();
      const fast = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['fast'] }));
      const unnamed = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['unnamed'] }));
      const plain = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['plain'] }));
      for (let i = 0; i < 20; i++) await send(app.id, 'fast');
      for (let i = 0; i < 5; i++) await send(app.id, 'unnamed');
      await store.queue.shareSlots(
        [
          { endpointId: fast.id, cap: 2 },
          { endpointId: unnamed.id, cap: 1 },
        ],
        [],
      );
      await send(app.id, 'plain');
      const fair = { keepFree: 3, borrowers: [fast.id] };
      const claimed = await store.queue.claimDue({ limit: 12, leaseMs: LEASE, fair });
      const of = (id: string) => claimed.filter((c) => c.endpoint.id === id).length;
      // Caps first (2 + 1, within 12 - 3), the plain queue (1), then the other 8 lent to the named endpoint.
      expect([of(fast.id), of(unnamed.id), of(plain.id)]).toEqual([10, 1, 1]);
      expect(claimed).toHaveLength(12);
      // Its cap is unchanged: without borrowing it gets nothing more while 10 are in flight.
      expect(await claim(12)).toEqual([]);
      // keepFree holds back the caps, not the loan: a batch of 3 leaves no room to a cap, all to the borrower.
      const small = await store.queue.claimDue({ limit: 3, leaseMs: LEASE, fair });
      expect(small.map((c) => c.endpoint.id)).toEqual([fast.id, fast.id, fast.id]);
    });

    it("never lends past an operator's in-flight cap or a rate limit", async () => {
      const app = await newApp();
      const own = await store.endpoints.create(
        app.id,
        endpointInput({ filterTypes: ['own'], maxInFlight: 2 }),
      );
      const limited = await store.endpoints.create(
        app.id,
        endpointInput({ filterTypes: ['limited'], rateLimit: 1 }),
      );
      for (let i = 0; i < 10; i++) await send(app.id, 'own');
      for (let i = 0; i < 10; i++) await send(app.id, 'limited');
      await store.queue.shareSlots(
        [
          { endpointId: own.id, cap: 1 }, // ignored: the operator's maxInFlight rules
          { endpointId: limited.id, cap: 5 },
        ],
        [],
      );
      const fair = { keepFree: 0, borrowers: [own.id, limited.id] };
      const claimed = await store.queue.claimDue({ limit: 20, leaseMs: LEASE, fair });
      const of = (id: string) => claimed.filter((c) => c.endpoint.id === id).length;
      expect(of(own.id)).toBe(2);
      expect(of(limited.id)).toBe(1); // 1/s: one token now, borrowed slots or not
    });
  });
}
