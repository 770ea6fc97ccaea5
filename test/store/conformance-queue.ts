import { beforeEach, describe, expect, it } from 'vitest';
import type { AttemptResult, ClaimedDelivery, Store } from '../../src/store/store.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';
import type { Conformance } from './conformance.js';
import { POLICY } from '../helpers/fixtures.js';

/**
 * The delivery queue (claims, leases, recorded attempts, resend, recover) and
 * pruning, run by storeConformance on every backend.
 */
export function queueConformance(t: Conformance) {
  const { newApp, send } = t;
  let store: Store;
  // Registered after storeConformance's own beforeEach, so it sees this test's fresh store.
  beforeEach(() => {
    store = t.store();
  });
  const result = (c: ClaimedDelivery, outcome: AttemptResult['outcome'], code = 200): AttemptResult =>
    attemptResult(c, outcome, {
      responseStatusCode: code,
      response: 'ok',
      responseDurationMs: 12,
      errorClass: code >= 200 && code < 300 ? null : 'http',
    });

  describe('delivery queue', () => {
    async function oneDelivery() {
      const app = await newApp();
      const ep = await store.endpoints.create(app.id, endpointInput({ headers: { 'x-a': '1' } }));
      const { message } = await send(app.id);
      return { app, ep, message };
    }

    it('claims carry what a worker needs, and a valid lease is never claimed twice', async () => {
      const { ep, message } = await oneDelivery();
      const [claim, ...rest] = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      expect(rest).toEqual([]);
      expect(claim).toMatchObject({
        attempts: 0,
        trigger: 'scheduled',
        message: { id: message.id, payload: message.payload, eventType: 'payment.succeeded' },
        endpoint: { id: ep.id, url: ep.url, headers: { 'x-a': '1' }, secrets: ep.secrets },
      });
      expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    });

    it('concurrent claims never hand out the same delivery', async () => {
      const app = await newApp();
      await store.endpoints.create(app.id, endpointInput());
      for (let i = 0; i < 40; i++) await send(app.id);
      const batches = await Promise.all(
        Array.from({ length: 8 }, () => store.queue.claimDue({ limit: 7, leaseMs: 60_000 })),
      );
      const ids = batches.flat().map((c) => c.deliveryId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
    });

    it("one application's fan-out does not queue ahead of another's message: each gets a turn", async () => {
      // 20 endpoints x 5 messages, none over any share: oldest first, the other
      // tenant's message would be the 101st claimed.
      const fanOut = await newApp();
      for (let e = 0; e < 20; e++) await store.endpoints.create(fanOut.id, endpointInput());
      for (let i = 0; i < 5; i++) await send(fanOut.id);
      const other = await newApp();
      await store.endpoints.create(other.id, endpointInput());
      await send(other.id);
      const appsOf = (claims: ClaimedDelivery[]) =>
        claims.map((c) => (c.message.appId === other.id ? 'other' : 'fanOut'));
      // A claim of 4 visits both applications: two each, and the other has only one.
      expect(appsOf(await store.queue.claimDue({ limit: 4, leaseMs: 60_000 })).sort()).toEqual([
        'fanOut',
        'fanOut',
        'fanOut',
        'other',
      ]);
      await send(other.id);
      // Claims of one take turns: the page moves on to the next application each time.
      const ones: string[] = [];
      for (let i = 0; i < 4; i++)
        ones.push(...appsOf(await store.queue.claimDue({ limit: 1, leaseMs: 60_000 })));
      expect(ones.filter((a) => a === 'other')).toHaveLength(1);
      // Everything is still claimed, once.
      const rest: string[] = [];
      for (;;) {
        const batch = await store.queue.claimDue({ limit: 16, leaseMs: 60_000 });
        if (batch.length === 0) break;
        rest.push(...batch.map((c) => c.deliveryId));
      }
      expect(new Set(rest).size).toBe(rest.length);
      expect(rest.length + 4 + 4).toBe(102);
    });

    it('an expired lease makes the delivery claimable again, and the stale owner cannot move it', async () => {
      await oneDelivery();
      const [first] = await store.queue.claimDue({ limit: 1, leaseMs: 1 });
      await new Promise((r) => setTimeout(r, 20));
      const [second] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      expect(second?.deliveryId).toBe(first!.deliveryId);
      expect(second?.leaseToken).not.toBe(first!.leaseToken);
      expect(await store.queue.renewLeases([first!], 60_000)).toEqual([first!.deliveryId]);
      expect(await store.queue.renewLeases([second!], 60_000)).toEqual([]);
      // The stale worker's attempt is kept, but the delivery stays with its new owner.
      await store.queue.recordAttempts([result(first!, { kind: 'success' })], POLICY);
      await store.queue.recordAttempts(
        [result(second!, { kind: 'retry', at: new Date(Date.now() + 60_000) }, 500)],
        POLICY,
      );
      const stats = await store.endpoints.stats(first!.message.appId, first!.endpoint.id);
      expect(stats).toMatchObject({ pending: 1, success: 0 });
      const attempts = await store.attempts.listByMessage(
        first!.message.appId,
        first!.message.id,
        {},
        { limit: 10 },
      );
      expect(attempts.items).toHaveLength(2);
    });

    it('records success, retry at a time, and failure for good', async () => {
      const { app, ep, message } = await oneDelivery();
      const [c1] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      // A minute ahead, then claimed "later" through `now`: no test waits on the clock.
      const retryAt = new Date(Date.now() + 60_000);
      await store.queue.recordAttempts([result(c1!, { kind: 'retry', at: retryAt }, 503)], POLICY);
      expect(await store.queue.claimDue({ limit: 1, leaseMs: 60_000 })).toEqual([]);
      expect((await store.queue.nextDueAt())?.getTime()).toBe(retryAt.getTime());
      const [c2] = await store.queue.claimDue({
        limit: 1,
        leaseMs: 60_000,
        now: new Date(Date.now() + 120_000),
      });
      expect(c2?.attempts).toBe(1);
      await store.queue.recordAttempts([result(c2!, { kind: 'fail' }, 500)], POLICY);
      expect(await store.endpoints.stats(app.id, ep.id)).toMatchObject({ fail: 1, pending: 0, sending: 0 });
      expect(await store.queue.nextDueAt()).toBeNull();
      const attempts = await store.attempts.listByMessage(app.id, message.id, {}, { limit: 10 });
      expect(attempts.items.map((a) => a.responseStatusCode)).toEqual([500, 503]);
      expect(attempts.items[0]).toMatchObject({
        status: 'fail',
        errorClass: 'http',
        trigger: 'scheduled',
        url: ep.url,
      });
      const failedOnly = await store.attempts.listByEndpoint(app.id, ep.id, { status: 'fail' }, { limit: 1 });
      expect(failedOnly.items).toHaveLength(1);
      expect(failedOnly.done).toBe(false);
      const one = await store.attempts.get(app.id, message.id, attempts.items[0]!.id);
      expect(one?.id).toBe(attempts.items[0]!.id);
      // Per-message and per-endpoint views.
      const perEndpoint = await store.messages.deliveries(app.id, message.id, { limit: 10 });
      expect(perEndpoint.items[0]).toMatchObject({
        delivery: { status: 'fail', attempts: 2 },
        endpoint: { id: ep.id },
      });
      const perMessage = await store.messages.forEndpoint(app.id, ep.id, { status: 'fail' }, { limit: 10 });
      expect(perMessage.items[0]?.message.id).toBe(message.id);
    });

    it('records a batch in which some deliveries were deleted with their app mid-flight', async () => {
      const doomed = await oneDelivery();
      const kept = await oneDelivery();
      const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      expect(claims).toHaveLength(2);
      await store.apps.delete(doomed.app.id);
      const doomedClaim = claims.find((c) => c.message.id === doomed.message.id)!;
      const keptClaim = claims.find((c) => c.message.id === kept.message.id)!;
      // A failure, so the deleted endpoint's health is moved on too.
      await store.queue.recordAttempts(
        [result(doomedClaim, { kind: 'fail' }, 500), result(keptClaim, { kind: 'success' })],
        POLICY,
      );
      const attempts = await store.attempts.listByMessage(kept.app.id, kept.message.id, {}, { limit: 10 });
      expect(attempts.items.map((a) => a.status)).toEqual(['success']);
      expect(await store.endpoints.stats(kept.app.id, kept.ep.id)).toMatchObject({ success: 1, sending: 0 });
    });

    it("counts an endpoint's deliveries created within since and until", async () => {
      const { app, ep } = await oneDelivery();
      await send(app.id);
      const at = (ms: number) => new Date(Date.now() + ms);
      expect(await store.endpoints.stats(app.id, ep.id, at(-60_000), at(60_000))).toMatchObject({
        pending: 2,
      });
      expect(await store.endpoints.stats(app.id, ep.id, undefined, at(-60_000))).toMatchObject({
        pending: 0,
      });
      expect(await store.endpoints.stats(app.id, ep.id, at(60_000))).toMatchObject({ pending: 0 });
    });

    it('filters attempts by status code class and by their message', async () => {
      const app = await newApp();
      const ep = await store.endpoints.create(app.id, endpointInput());
      const post = (eventType: string, channels: string[] | null, tags: string[] | null) =>
        store.messages.create({ appId: app.id, eventType, eventId: null, payload: '{}', channels, tags });
      const a = (await post('a', ['eu'], ['vip'])).message.id;
      const b = (await post('b', null, null)).message.id;
      const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      await store.queue.recordAttempts(
        claims.map((c) =>
          c.message.id === a ? result(c, { kind: 'success' }, 200) : result(c, { kind: 'fail' }, 503),
        ),
        POLICY,
      );
      const msgs = async (filter: Parameters<typeof store.attempts.listByEndpoint>[2]) =>
        (await store.attempts.listByEndpoint(app.id, ep.id, filter, { limit: 10 })).items.map((x) => x.msgId);
      expect(await msgs({ statusCodeClass: 200 })).toEqual([a]);
      expect(await msgs({ statusCodeClass: 500 })).toEqual([b]);
      expect(await msgs({ statusCodeClass: 0 })).toEqual([]);
      expect(await msgs({ eventTypes: ['b', 'c'] })).toEqual([b]);
      expect(await msgs({ channel: 'eu' })).toEqual([a]);
      expect(await msgs({ tag: 'vip' })).toEqual([a]);
      expect(await msgs({ tag: 'eu' })).toEqual([]);
      const byMessage = await store.attempts.listByMessage(app.id, a, { eventTypes: ['b'] }, { limit: 10 });
      expect(byMessage.items).toEqual([]);
    });

    it('resend makes a delivery due now as a manual attempt, also for an endpoint that never had one', async () => {
      const { app, ep, message } = await oneDelivery();
      const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      await expect(store.queue.resend(app.id, message.id, ep.id)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await store.queue.recordAttempts([result(c!, { kind: 'success' })], POLICY);
      const later = await store.endpoints.create(app.id, endpointInput());
      await store.queue.resend(app.id, message.id, ep.id);
      await store.queue.resend(app.id, message.id, later.id);
      const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      expect(claims.map((x) => x.trigger)).toEqual(['manual', 'manual']);
      expect(new Set(claims.map((x) => x.endpoint.id))).toEqual(new Set([ep.id, later.id]));
      await expect(store.queue.resend(app.id, 'msg_missing', ep.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('resending a delivery that is still being retried brings its next attempt forward and keeps its schedule', async () => {
      const { app, ep, message } = await oneDelivery();
      const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      const inAnHour = new Date(Date.now() + 3_600_000);
      await store.queue.recordAttempts([result(c!, { kind: 'retry', at: inAnHour }, 503)], POLICY);
      const resent = await store.queue.resend(app.id, message.id, ep.id);
      expect(resent).toMatchObject({ status: 'pending', attempts: 1, trigger: 'scheduled' });
      const [again] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      // Scheduled, so a failure goes on to the next retry instead of ending the delivery.
      expect(again).toMatchObject({ attempts: 1, trigger: 'scheduled', endpoint: { id: ep.id } });
    });

    it('recover re-queues failed deliveries in the time window', async () => {
      const { app, ep } = await oneDelivery();
      const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      await store.queue.recordAttempts([result(c!, { kind: 'fail' }, 500)], POLICY);
      expect(await store.queue.recover(app.id, ep.id, new Date(Date.now() + 60_000), null)).toBe(0);
      expect(await store.queue.recover(app.id, ep.id, new Date(Date.now() - 60_000), null)).toBe(1);
      const [again] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      expect(again?.deliveryId).toBe(c!.deliveryId);
    });

    it('deliveries to a disabled endpoint wait, and a 410-style disable is stored with its reason', async () => {
      const { app, ep } = await oneDelivery();
      const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      await store.queue.recordAttempts(
        [{ ...result(c!, { kind: 'fail' }, 410), disableEndpoint: 'endpoint answered 410 Gone' }],
        POLICY,
      );
      expect(await store.endpoints.get(app.id, ep.id)).toMatchObject({
        disabled: true,
        disabledReason: 'endpoint answered 410 Gone',
      });
      await send(app.id); // no delivery: endpoint disabled
      expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    });

    it('a retry recorded after its endpoint was disabled waits unscheduled, and goes once it is enabled', async () => {
      const { app, ep } = await oneDelivery();
      const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      await store.endpoints.update(app.id, ep.id, (e) => ({ ...e, disabled: true, disabledReason: null }));
      // The attempt in flight when the endpoint was disabled comes back failing, with a retry.
      const retryAt = new Date(Date.now() + 1000);
      await store.queue.recordAttempts([result(c!, { kind: 'retry', at: retryAt }, 503)], POLICY);
      const later = new Date(Date.now() + 3_600_000);
      expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000, now: later })).toEqual([]);
      // Nothing for an idle worker to wake up for while the endpoint is disabled.
      expect(await store.queue.nextDueAt()).toBeNull();
      await store.endpoints.update(app.id, ep.id, (e) => ({ ...e, disabled: false }));
      expect((await store.queue.nextDueAt())?.getTime()).toBe(retryAt.getTime());
      const [again] = await store.queue.claimDue({ limit: 10, leaseMs: 60_000, now: later });
      expect(again?.deliveryId).toBe(c!.deliveryId);
      expect(again?.attempts).toBe(1);
    });

    it('prunes old messages with their deliveries and attempts, in batches', async () => {
      const { app, message } = await oneDelivery();
      await send(app.id);
      // Finished deliveries only: prune keeps messages with open ones (next test).
      const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      await store.queue.recordAttempts(
        claims.map((c) => result(c, { kind: 'success' })),
        POLICY,
      );
      expect(await store.messages.prune(new Date(Date.now() - 60_000), 10)).toBe(0);
      expect(await store.messages.prune(new Date(Date.now() + 1000), 1)).toBe(1);
      expect(await store.messages.prune(new Date(Date.now() + 1000), 10)).toBe(1);
      expect(await store.messages.get(app.id, message.id)).toBeNull();
      expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    });

    it('keeps an old message while a delivery is pending or sending, and prunes it once finished', async () => {
      const { app, message } = await oneDelivery();
      const bare = await newApp();
      const { message: unrouted } = await send(bare.id); // no endpoint: nothing left to do
      const cutoff = () => new Date(Date.now() + 1000);
      // Pending: kept, and skipped without using up the batch, so the finished one behind it goes.
      expect(await store.messages.prune(cutoff(), 1)).toBe(1);
      expect(await store.messages.get(bare.id, unrouted.id)).toBeNull();
      expect(await store.messages.get(app.id, message.id)).not.toBeNull();
      // Sending: kept.
      const [c1] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
      expect(await store.messages.prune(cutoff(), 10)).toBe(0);
      // Waiting for a retry (pending again): kept.
      await store.queue.recordAttempts(
        [result(c1!, { kind: 'retry', at: new Date(Date.now() + 60_000) }, 503)],
        POLICY,
      );
      expect(await store.messages.prune(cutoff(), 10)).toBe(0);
      expect(await store.messages.get(app.id, message.id)).not.toBeNull();
      // Finished: pruned with its delivery and attempts.
      const [c2] = await store.queue.claimDue({
        limit: 1,
        leaseMs: 60_000,
        now: new Date(Date.now() + 120_000),
      });
      expect(c2?.deliveryId).toBe(c1!.deliveryId);
      await store.queue.recordAttempts([result(c2!, { kind: 'success' })], POLICY);
      expect(await store.messages.prune(cutoff(), 10)).toBe(1);
      expect(await store.messages.get(app.id, message.id)).toBeNull();
      expect((await store.attempts.listByMessage(app.id, message.id, {}, { limit: 10 })).items).toEqual([]);
    });
  });
}
