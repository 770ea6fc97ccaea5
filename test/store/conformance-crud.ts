import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { endpointAccepts } from '../../src/core/filter.js';
import type { Endpoint, Message } from '../../src/core/model.js';
import type { EndpointInput, Store } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';
import type { Conformance } from './conformance.js';

/**
 * Applications, event types, endpoints, and messages with their routing, run
 * by storeConformance on every backend.
 */
export function crudConformance(t: Conformance) {
  const { newApp, send } = t;
  let store: Store;
  // Registered after storeConformance's own beforeEach, so it sees this test's fresh store.
  beforeEach(() => {
    store = t.store();
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
      validateSchema: false,
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
    it('refuses an endpoint or message for an application that does not exist with NOT_FOUND', async () => {
      await expect(store.endpoints.create('app_missing', endpointInput())).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        store.messages.create({
          appId: 'app_missing',
          eventType: 'a',
          eventId: null,
          payload: '{}',
          channels: null,
          tags: null,
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

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

    it('an update given as a function builds on the endpoint as it is, so concurrent changes are all kept', async () => {
      const app = await newApp();
      const stale = await store.endpoints.create(app.id, endpointInput());
      const inputOf = ({ id, appId, createdAt, updatedAt, ...input }: Endpoint): EndpointInput => input;
      // Someone else (a worker, on a 410) disables it after our read.
      await store.endpoints.update(app.id, stale.id, {
        ...inputOf(stale),
        disabled: true,
        disabledReason: 'gone',
      });
      const described = await store.endpoints.update(app.id, stale.id, (now) => ({
        ...inputOf(now),
        description: 'mine',
      }));
      expect(described).toMatchObject({ description: 'mine', disabled: true, disabledReason: 'gone' });
      // Ten concurrent additions of a secret: none is lost.
      const keys = Array.from(
        { length: 10 },
        (_, i) => `whsec_${Buffer.alloc(32, i + 1).toString('base64')}`,
      );
      await Promise.all(
        keys.map((key) =>
          store.endpoints.update(app.id, stale.id, (now) => ({
            ...inputOf(now),
            secrets: [{ key, expiresAt: null }, ...now.secrets],
          })),
        ),
      );
      const after = await store.endpoints.get(app.id, stale.id);
      expect(new Set(after?.secrets.map((s) => s.key))).toEqual(new Set([...keys, stale.secrets[0]!.key]));
      // A function that throws refuses the change and leaves the endpoint as it was.
      await expect(
        store.endpoints.update(app.id, stale.id, () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect((await store.endpoints.get(app.id, stale.id))?.description).toBe('mine');
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

    it('routes exactly as core/filter.ts says, for any endpoints and messages', async () => {
      // The rule is written once (endpointAccepts); each backend states it in its own SQL.
      // Small alphabets, so matches, misses, empty lists and nulls all come up often.
      const list = fc.option(fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), { nil: null });
      const endpoints = fc.array(fc.record({ filterTypes: list, channels: list, disabled: fc.boolean() }), {
        minLength: 1,
        maxLength: 5,
      });
      const messages = fc.array(fc.record({ eventType: fc.constantFrom('a', 'b', 'c'), channels: list }), {
        minLength: 1,
        maxLength: 4,
      });
      await fc.assert(
        fc.asyncProperty(endpoints, messages, async (eps, msgs) => {
          const app = await newApp();
          const made = await Promise.all(eps.map((e) => store.endpoints.create(app.id, endpointInput(e))));
          for (const m of msgs) {
            const { message, deliveries } = await send(
              app.id,
              m.eventType,
              m.channels ? { channels: m.channels } : {},
            );
            const routed = await store.messages.deliveries(app.id, message.id, { limit: 100 });
            const expected = made.filter((e) => endpointAccepts(e, m)).map((e) => e.id);
            expect(routed.items.map((r) => r.endpoint.id).sort()).toEqual(expected.sort());
            expect(deliveries).toBe(expected.length);
          }
        }),
        { numRuns: 25 },
      );
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

    it('concurrent accepts (written together) each get their own routing and stored fields', async () => {
      const app = await newApp();
      const other = await newApp();
      const all = await store.endpoints.create(app.id, endpointInput());
      const onlyA = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['a'] }));
      const eu = await store.endpoints.create(app.id, endpointInput({ channels: ['eu'] }));
      await store.endpoints.create(other.id, endpointInput());
      // Odd i with i % 3 === 0 reach all three endpoints (more than a message has pre-made
      // delivery ids); awkward channel and tag text.
      const channels = ['eu', 'quote"d', 'back\\slash', 'comma,{brace}'];
      const inputs = Array.from({ length: 60 }, (_, i) => ({
        appId: i % 5 === 4 ? other.id : app.id,
        eventType: i % 2 ? 'a' : 'b',
        eventId: i % 3 === 0 ? `evt-${i}` : null,
        payload: JSON.stringify({ i, text: 'ünïcødé \u2028' }),
        channels: i % 3 === 0 ? channels : i % 3 === 1 ? [] : null,
        tags: i % 2 ? ['t"1', 'x'] : null,
      }));
      const created = await Promise.all(inputs.map((input) => store.messages.create(input)));

      for (const [i, { message, deliveries }] of created.entries()) {
        const input = inputs[i]!;
        const routed = 1 + (input.eventType === 'a' ? 1 : 0) + (input.channels?.includes('eu') ? 1 : 0);
        expect(deliveries, `message ${i}`).toBe(input.appId === other.id ? 1 : routed);
        const stored = await store.messages.get(input.appId, message.id);
        expect(stored, `message ${i}`).toEqual({
          ...input,
          id: message.id,
          createdAt: message.createdAt,
          expungedAt: null,
        });
      }
      const claims = await store.queue.claimDue({ limit: 500, leaseMs: 60_000 });
      expect(claims.length).toBe(created.reduce((n, c) => n + c.deliveries, 0));
      expect(new Set(claims.map((c) => c.deliveryId)).size).toBe(claims.length);
      const count = (id: Endpoint['id']) => claims.filter((c) => c.endpoint.id === id).length;
      const ofApp = inputs.filter((m) => m.appId === app.id);
      expect(count(all.id)).toBe(ofApp.length);
      expect(count(onlyA.id)).toBe(ofApp.filter((m) => m.eventType === 'a').length);
      expect(count(eu.id)).toBe(ofApp.filter((m) => m.channels?.includes('eu')).length);
      // A group written later sees the endpoints as they are then.
      await store.endpoints.create(app.id, endpointInput());
      const later = await Promise.all(
        inputs.slice(0, 4).map((m) => store.messages.create({ ...m, eventId: null })),
      );
      expect(later.map((c) => c.deliveries)).toEqual(created.slice(0, 4).map((c) => c.deliveries + 1));
    });

    it('a refused accept among concurrent ones fails alone', async () => {
      const app = await newApp();
      await store.endpoints.create(app.id, endpointInput());
      await send(app.id, 'a', { eventId: 'taken' });
      const settled = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => send(app.id, 'a', { eventId: i === 7 ? 'taken' : `e${i}` })),
      );
      expect(settled[7]).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
      for (const [i, s] of settled.entries()) {
        if (i === 7) continue;
        expect(s.status, `message ${i}`).toBe('fulfilled');
        const { message, deliveries } = (
          s as PromiseFulfilledResult<{ message: Message; deliveries: number }>
        ).value;
        expect(deliveries).toBe(1);
        expect(await store.messages.get(app.id, message.id)).toMatchObject({ eventId: `e${i}` });
      }
      expect(await store.queue.claimDue({ limit: 100, leaseMs: 60_000 })).toHaveLength(20);
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
}
