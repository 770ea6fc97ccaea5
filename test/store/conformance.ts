import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/core/model.js';
import type { MessageRepo, Store } from '../../src/store/store.js';
import { crudConformance } from './conformance-crud.js';
import { policyConformance } from './conformance-policies.js';
import { queueConformance } from './conformance-queue.js';

/** What storeConformance hands each themed file: the current test's store and shared builders. */
export interface Conformance {
  store(): Store;
  newApp(uid?: string | null): Promise<Application>;
  send(
    appId: string,
    eventType?: string,
    extra?: { channels?: string[]; eventId?: string },
  ): ReturnType<MessageRepo['create']>;
}

/**
 * The Store contract, run unchanged against every backend. `makeStore` returns
 * a fresh, empty, migrated store; `dispose` cleans up after it. The themes live
 * in conformance-crud.ts, conformance-queue.ts and conformance-policies.ts;
 * idempotency keys and settings, being small, stay here.
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
    const t: Conformance = { store: () => store, newApp, send };

    crudConformance(t);
    queueConformance(t);

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
