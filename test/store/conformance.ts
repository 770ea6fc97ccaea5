import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/core/model.js';
import type { AttemptResult, ClaimedDelivery, Store } from '../../src/store/store.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';
import { policyConformance } from './conformance-policies.js';

/**
 * The Store contract, run unchanged against every backend. `makeStore` returns
 * a fresh, empty, migrated store; `dispose` cleans up after it.
 */
export function storeConformance(
  name: string,
  makeStore: () => Promise<Store>,
  dispose?: (s: Store) => Promise<void>,
) {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      if (dispose) await dispose(store);
      else await store.close();
    });

    const newApp = (uid: string | null = null) =>
      store.apps.create({ uid, name: 'Shop', rateLimit: null, metadata: {} });
    const send = (
      appId: string,
      eventType = 'payment.succeeded',
      extra: { channels?: string[]; eventId?: string } = {},
    ) =>
      store.messages.create({
        appId,
        eventType,
        eventId: extra.eventId ?? null,
        payload: JSON.stringify({ eventType }),
        channels: extra.channels ?? null,
        tags: null,
      });
    const result = (c: ClaimedDelivery, outcome: AttemptResult['outcome'], code = 200): AttemptResult =>
      attemptResult(c, outcome, {
        responseStatusCode: code,
        response: 'ok',
        responseDurationMs: 12,
        errorClass: code >= 200 && code < 300 ? null : 'http',
      });

    describe('applications', () => {
      it('creates, gets by id or uid, updates and deletes', async () => {
        const app = await store.apps.create({
          uid: 'shop-1',
          name: 'Shop',
          rateLimit: 5,
          metadata: { tier: 'gold' },
        });
        expect(app).toMatchObject({ uid: 'shop-1', name: 'Shop', rateLimit: 5, metadata: { tier: 'gold' } });
        expect(app.id).toMatch(/^app_/);
        expect(app.createdAt).toBeInstanceOf(Date);
        expect((await store.apps.get(app.id))?.id).toBe(app.id);
        expect((await store.apps.get('shop-1'))?.id).toBe(app.id);
        expect(await store.apps.get('nope')).toBeNull();
        const updated = await store.apps.update(app.id, {
          uid: null,
          name: 'Renamed',
          rateLimit: null,
          metadata: {},
        });
        expect(updated).toMatchObject({ uid: null, name: 'Renamed', rateLimit: null, metadata: {} });
        await store.apps.delete(app.id);
        expect(await store.apps.get(app.id)).toBeNull();
        await expect(store.apps.delete(app.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(
          store.apps.update(app.id, { uid: null, name: 'x', rateLimit: null, metadata: {} }),
        ).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
      });

      it('rejects a duplicate uid with CONFLICT', async () => {
        await newApp('dup');
        await expect(newApp('dup')).rejects.toMatchObject({ code: 'CONFLICT' });
      });

      it('pages forwards and backwards in id order', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await newApp(`a${i}`)).id);
        ids.sort();
        const first = await store.apps.list({ limit: 2 });
        expect(first.items.map((a) => a.id)).toEqual(ids.slice(0, 2));
        expect(first.done).toBe(false);
        const second = await store.apps.list({ limit: 2, after: ids[1] });
        expect(second.items.map((a) => a.id)).toEqual(ids.slice(2, 4));
        const last = await store.apps.list({ limit: 2, after: ids[3] });
        expect(last.items.map((a) => a.id)).toEqual(ids.slice(4));
        expect(last.done).toBe(true);
        const back = await store.apps.list({ limit: 2, before: ids[4] });
        expect(back.items.map((a) => a.id)).toEqual(ids.slice(2, 4));
        expect(back.done).toBe(false);
      });

      it('deleting an app removes its endpoints and messages', async () => {
        const app = await newApp();
        const ep = await store.endpoints.create(app.id, endpointInput());
        const { message } = await send(app.id);
        await store.apps.delete(app.id);
        expect(await store.endpoints.get(app.id, ep.id)).toBeNull();
        expect(await store.messages.get(app.id, message.id)).toBeNull();
        expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
      });
    });

    describe('event types', () => {
      const et = {
        description: 'A payment',
        archived: false,
        deprecated: false,
        schemas: null,
        featureFlag: null,
        groupName: null,
      };
      it('creates, lists without archived, archives and expunges', async () => {
        await store.eventTypes.create({ name: 'b.one', ...et, schemas: { v1: { type: 'object' } } });
        await store.eventTypes.create({ name: 'a.two', ...et });
        await expect(store.eventTypes.create({ name: 'a.two', ...et })).rejects.toMatchObject({
          code: 'CONFLICT',
        });
        expect((await store.eventTypes.get('b.one'))?.schemas).toEqual({ v1: { type: 'object' } });
        expect(
          (await store.eventTypes.list({ limit: 10 }, { includeArchived: false })).items.map((e) => e.name),
        ).toEqual(['a.two', 'b.one']);
        await store.eventTypes.delete('a.two', { expunge: false });
        expect((await store.eventTypes.get('a.two'))?.archived).toBe(true);
        expect(
          (await store.eventTypes.list({ limit: 10 }, { includeArchived: false })).items.map((e) => e.name),
        ).toEqual(['b.one']);
        expect((await store.eventTypes.list({ limit: 10 }, { includeArchived: true })).items).toHaveLength(2);
        const updated = await store.eventTypes.update('b.one', {
          name: 'b.one',
          ...et,
          description: 'changed',
          deprecated: true,
        });
        expect(updated).toMatchObject({ description: 'changed', deprecated: true });
        await store.eventTypes.delete('b.one', { expunge: true });
        expect(await store.eventTypes.get('b.one')).toBeNull();
        await expect(store.eventTypes.delete('missing', { expunge: true })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
      });
    });

    describe('endpoints', () => {
      it('round-trips every field, finds by uid, enforces uid uniqueness per app', async () => {
        const app = await newApp();
        const other = await newApp();
        const expires = new Date(Date.now() + 3_600_000);
        const input = endpointInput({
          uid: 'ep-1',
          description: 'orders',
          version: 2,
          rateLimit: 10,
          filterTypes: ['a', 'b'],
          channels: ['eu'],
          metadata: { k: 'v' },
          headers: { 'x-team': 'blue' },
          secrets: [
            { key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null },
            { key: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', expiresAt: expires },
          ],
          maxInFlight: 3,
          ordered: true,
        });
        const ep = await store.endpoints.create(app.id, input);
        expect(ep).toMatchObject({ ...input, appId: app.id });
        expect(ep.secrets[1]?.expiresAt?.getTime()).toBe(expires.getTime());
        expect((await store.endpoints.get(app.id, 'ep-1'))?.id).toBe(ep.id);
        expect(await store.endpoints.get(other.id, 'ep-1')).toBeNull();
        await expect(store.endpoints.create(app.id, endpointInput({ uid: 'ep-1' }))).rejects.toMatchObject({
          code: 'CONFLICT',
        });
        await store.endpoints.create(other.id, endpointInput({ uid: 'ep-1' }));
        const updated = await store.endpoints.update(app.id, ep.id, {
          ...input,
          url: 'https://example.org/',
          disabled: true,
          disabledReason: 'gone',
        });
        expect(updated).toMatchObject({
          url: 'https://example.org/',
          disabled: true,
          disabledReason: 'gone',
        });
        expect((await store.endpoints.list(app.id, { limit: 10 })).items.map((e) => e.id)).toEqual([ep.id]);
        await store.endpoints.delete(app.id, ep.id);
        await expect(store.endpoints.delete(app.id, ep.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });

    describe('messages and routing', () => {
      it('creates one delivery per endpoint that accepts the message', async () => {
        const app = await newApp();
        const all = await store.endpoints.create(app.id, endpointInput());
        const onlyA = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['a'] }));
        const eu = await store.endpoints.create(app.id, endpointInput({ channels: ['eu'] }));
        await store.endpoints.create(app.id, endpointInput({ disabled: true }));
        expect((await send(app.id, 'a')).deliveries).toBe(2); // all, onlyA
        expect((await send(app.id, 'b')).deliveries).toBe(1); // all
        expect((await send(app.id, 'a', { channels: ['eu', 'us'] })).deliveries).toBe(3);
        expect((await send(app.id, 'b', { channels: ['us'] })).deliveries).toBe(1);
        const claims = await store.queue.claimDue({ limit: 100, leaseMs: 60_000 });
        const byEndpoint = (id: Endpoint['id']) => claims.filter((c) => c.endpoint.id === id).length;
        expect([byEndpoint(all.id), byEndpoint(onlyA.id), byEndpoint(eu.id)]).toEqual([4, 2, 1]);
      });

      it('stores messages with no matching endpoint, and rejects a reused eventId with CONFLICT', async () => {
        const app = await newApp();
        const { message, deliveries } = await send(app.id, 'x', { eventId: 'evt-1' });
        expect(deliveries).toBe(0);
        expect(await store.messages.get(app.id, message.id)).toMatchObject({
          eventId: 'evt-1',
          payload: '{"eventType":"x"}',
        });
        await expect(send(app.id, 'x', { eventId: 'evt-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
        const other = await newApp();
        await expect(send(other.id, 'x', { eventId: 'evt-1' })).resolves.toBeTruthy();
      });

      it('lists newest first with filters and keyset pages', async () => {
        const app = await newApp();
        const a = (await send(app.id, 'a', { channels: ['eu'] })).message;
        const b = (await send(app.id, 'b')).message;
        const c = (await send(app.id, 'a')).message;
        const ids = (p: { items: { id: string }[] }) => p.items.map((m) => m.id);
        expect(ids(await store.messages.list(app.id, {}, { limit: 10 }))).toEqual([c.id, b.id, a.id]);
        expect(ids(await store.messages.list(app.id, { eventTypes: ['a'] }, { limit: 10 }))).toEqual([
          c.id,
          a.id,
        ]);
        expect(ids(await store.messages.list(app.id, { channel: 'eu' }, { limit: 10 }))).toEqual([a.id]);
        const page1 = await store.messages.list(app.id, {}, { limit: 2 });
        expect(page1.done).toBe(false);
        const page2 = await store.messages.list(app.id, {}, { limit: 2, after: page1.items[1]!.id });
        expect(ids(page2)).toEqual([a.id]);
        expect(page2.done).toBe(true);
        const future = new Date(Date.now() + 60_000);
        expect(ids(await store.messages.list(app.id, { after: future }, { limit: 10 }))).toEqual([]);
        expect(ids(await store.messages.list(app.id, { before: future }, { limit: 10 }))).toHaveLength(3);
      });
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
        await store.queue.recordAttempts([result(first!, { kind: 'success' })]);
        await store.queue.recordAttempts([
          result(second!, { kind: 'retry', at: new Date(Date.now() + 60_000) }, 500),
        ]);
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
        const retryAt = new Date(Date.now() + 50);
        await store.queue.recordAttempts([result(c1!, { kind: 'retry', at: retryAt }, 503)]);
        expect(await store.queue.claimDue({ limit: 1, leaseMs: 60_000 })).toEqual([]);
        expect((await store.queue.nextDueAt())?.getTime()).toBe(retryAt.getTime());
        const [c2] = await store.queue.claimDue({
          limit: 1,
          leaseMs: 60_000,
          now: new Date(Date.now() + 1000),
        });
        expect(c2?.attempts).toBe(1);
        await store.queue.recordAttempts([result(c2!, { kind: 'fail' }, 500)]);
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
        const failedOnly = await store.attempts.listByEndpoint(
          app.id,
          ep.id,
          { status: 'fail' },
          { limit: 1 },
        );
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

      it('resend makes a delivery due now as a manual attempt, also for an endpoint that never had one', async () => {
        const { app, ep, message } = await oneDelivery();
        const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
        await expect(store.queue.resend(app.id, message.id, ep.id)).rejects.toMatchObject({
          code: 'CONFLICT',
        });
        await store.queue.recordAttempts([result(c!, { kind: 'success' })]);
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

      it('recover re-queues failed deliveries in the time window', async () => {
        const { app, ep } = await oneDelivery();
        const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
        await store.queue.recordAttempts([result(c!, { kind: 'fail' }, 500)]);
        expect(await store.queue.recover(app.id, ep.id, new Date(Date.now() + 60_000), null)).toBe(0);
        expect(await store.queue.recover(app.id, ep.id, new Date(Date.now() - 60_000), null)).toBe(1);
        const [again] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
        expect(again?.deliveryId).toBe(c!.deliveryId);
      });

      it('deliveries to a disabled endpoint wait, and a 410-style disable is stored with its reason', async () => {
        const { app, ep } = await oneDelivery();
        const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
        await store.queue.recordAttempts([
          { ...result(c!, { kind: 'fail' }, 410), disableEndpoint: 'endpoint answered 410 Gone' },
        ]);
        expect(await store.endpoints.get(app.id, ep.id)).toMatchObject({
          disabled: true,
          disabledReason: 'endpoint answered 410 Gone',
        });
        await send(app.id); // no delivery: endpoint disabled
        expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
      });

      it('prunes old messages with their deliveries and attempts, in batches', async () => {
        const { app, message } = await oneDelivery();
        await send(app.id);
        // Finished deliveries only: prune keeps messages with open ones (next test).
        const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
        await store.queue.recordAttempts(claims.map((c) => result(c, { kind: 'success' })));
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
        await store.queue.recordAttempts([
          result(c1!, { kind: 'retry', at: new Date(Date.now() + 60_000) }, 503),
        ]);
        expect(await store.messages.prune(cutoff(), 10)).toBe(0);
        expect(await store.messages.get(app.id, message.id)).not.toBeNull();
        // Finished: pruned with its delivery and attempts.
        const [c2] = await store.queue.claimDue({
          limit: 1,
          leaseMs: 60_000,
          now: new Date(Date.now() + 120_000),
        });
        expect(c2?.deliveryId).toBe(c1!.deliveryId);
        await store.queue.recordAttempts([result(c2!, { kind: 'success' })]);
        expect(await store.messages.prune(cutoff(), 10)).toBe(1);
        expect(await store.messages.get(app.id, message.id)).toBeNull();
        expect((await store.attempts.listByMessage(app.id, message.id, {}, { limit: 10 })).items).toEqual([]);
      });
    });

    describe('endpoint policies and operational webhooks', () => {
      policyConformance(() => store);
    });

    describe('idempotency keys and settings', () => {
      it('claims a key once, replays the completed response, releases on failure', async () => {
        const exp = new Date(Date.now() + 3_600_000);
        expect(await store.idempotency.begin('k1', 'h1', exp)).toEqual({ state: 'new' });
        expect(await store.idempotency.begin('k1', 'h1', exp)).toEqual({ state: 'in_progress' });
        await store.idempotency.complete('k1', 201, '{"id":1}');
        expect(await store.idempotency.begin('k1', 'h2', exp)).toEqual({
          state: 'done',
          requestHash: 'h1',
          statusCode: 201,
          body: '{"id":1}',
        });
        expect(await store.idempotency.begin('k2', 'h', exp)).toEqual({ state: 'new' });
        await store.idempotency.release('k2');
        expect(await store.idempotency.begin('k2', 'h', exp)).toEqual({ state: 'new' });
        // An expired key is free again.
        expect(await store.idempotency.begin('k3', 'h', new Date(Date.now() - 1))).toEqual({ state: 'new' });
        expect(await store.idempotency.begin('k3', 'h', exp)).toEqual({ state: 'new' });
      });

      it('takes over an in-progress claim older than the lock timeout, not a fresh one', async () => {
        // Stands in for a process that crashed between begin and complete/release.
        const exp = new Date(Date.now() + 3_600_000);
        expect(await store.idempotency.begin('stale', 'h1', exp)).toEqual({ state: 'new' });
        // Fresh under the default timeout (a minute): still held.
        expect(await store.idempotency.begin('stale', 'h1', exp)).toEqual({ state: 'in_progress' });
        // A short timeout via the parameter, so the claim can age without a long sleep.
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await store.idempotency.begin('stale', 'h2', exp, 10)).toEqual({ state: 'new' });
        // The takeover is a claim of its own: fresh again, and it completes normally.
        expect(await store.idempotency.begin('stale', 'h2', exp)).toEqual({ state: 'in_progress' });
        await store.idempotency.complete('stale', 201, '{"id":2}');
        // A completed key is never taken over, however old.
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await store.idempotency.begin('stale', 'h2', exp, 10)).toEqual({
          state: 'done',
          requestHash: 'h2',
          statusCode: 201,
          body: '{"id":2}',
        });
      });

      it('settings keep the first value', async () => {
        expect(await store.settings.get('token')).toBeNull();
        expect(await store.settings.getOrSet('token', 'a')).toBe('a');
        expect(await store.settings.getOrSet('token', 'b')).toBe('a');
        expect(await store.settings.get('token')).toBe('a');
      });
    });
  });
}
