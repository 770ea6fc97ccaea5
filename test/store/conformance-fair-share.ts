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
 * when the endpoint's backlog is gone.
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

    it('are cleared once nothing is open, or all at once when fair sharing is off', async () => {
      const app = await newApp();
      const drained = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['drained'] }));
      const backlog = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['backlog'] }));
      await send(app.id, 'drained');
      await send(app.id, 'backlog');
      await send(app.id, 'backlog');
      await store.queue.shareSlots(
        [
          { endpointId: drained.id, cap: 1 },
          { endpointId: backlog.id, cap: 1 },
        ],
        [],
      );
      const claimed = await claim(10);
      expect(claimed).toHaveLength(2); // one each: both capped at 1
      const done = claimed.find((c) => c.endpoint.id === drained.id)!;
      await store.queue.recordAttempts([attemptResult(done, { kind: 'success' })], POLICY);
      expect(await store.queue.unshare({ idleOnly: true })).toBe(1);
      // The endpoint with work left keeps its cap...
      await store.queue.shareSlots([], claimed.filter((c) => c.endpoint.id === backlog.id).map(lease));
      expect((await claim(10)).map((c) => c.endpoint.fairCap)).toEqual([1]);
      // ...until fair sharing is turned off.
      expect(await store.queue.unshare({ idleOnly: false })).toBe(1);
      expect(await store.queue.unshare({ idleOnly: false })).toBe(0);
    });
  });
}
