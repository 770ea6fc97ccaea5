import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/core/model.js';
import type { MessageRepo, Store } from '../../src/store/store.js';
import { attemptCountsConformance } from './conformance-attempt-counts.js';
import { crudConformance } from './conformance-crud.js';
import { fairShareConformance } from './conformance-fair-share.js';
import { policyConformance } from './conformance-policies.js';
import { queueConformance } from './conformance-queue.js';
import { tasksConformance } from './conformance-tasks.js';

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
    tasksConformance(t);
    fairShareConformance(t);
    attemptCountsConformance(t);

    describe('endpoint policies and operational webhooks', () => {
      policyConformance(() => store);
    });

    describe('idempotency keys and settings', () => {
      /** Claims `key` as new and returns the claim's owner token. */
      const claim = async (key: string, hash: string, exp: Date, lockTimeoutMs?: number) => {
        const begun = await store.idempotency.begin(key, hash, exp, lockTimeoutMs);
        expect(begun).toEqual({ state: 'new', token: expect.any(String) });
        return (begun as { token: string }).token;
      };

      it('claims a key once, replays the completed response, releases on failure', async () => {
        const exp = new Date(Date.now() + 3_600_000);
        const t1 = await claim('k1', 'h1', exp);
        expect(await store.idempotency.begin('k1', 'h1', exp)).toEqual({ state: 'in_progress' });
        await store.idempotency.complete('k1', t1, 201, '{"id":1}');
        expect(await store.idempotency.begin('k1', 'h2', exp)).toEqual({
          state: 'done',
          requestHash: 'h1',
          statusCode: 201,
          body: '{"id":1}',
        });
        const t2 = await claim('k2', 'h', exp);
        await store.idempotency.release('k2', t2);
        const t2b = await claim('k2', 'h', exp);
        // Every claim gets its own token.
        expect(t2b).not.toBe(t2);
        // An expired key is free again.
        await claim('k3', 'h', new Date(Date.now() - 1));
        await claim('k3', 'h', exp);
      });

      it('takes over an in-progress claim older than the lock timeout, not a fresh one', async () => {
        // Stands in for a process that crashed between begin and complete/release.
        const exp = new Date(Date.now() + 3_600_000);
        await claim('stale', 'h1', exp);
        // Fresh under the default timeout (a minute): still held.
        expect(await store.idempotency.begin('stale', 'h1', exp)).toEqual({ state: 'in_progress' });
        // A short timeout via the parameter, so the claim can age without a long sleep.
        await new Promise((resolve) => setTimeout(resolve, 30));
        const t2 = await claim('stale', 'h2', exp, 10);
        // The takeover is a claim of its own: fresh again, and it completes normally.
        expect(await store.idempotency.begin('stale', 'h2', exp)).toEqual({ state: 'in_progress' });
        await store.idempotency.complete('stale', t2, 201, '{"id":2}');
        // A completed key is never taken over, however old.
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await store.idempotency.begin('stale', 'h2', exp, 10)).toEqual({
          state: 'done',
          requestHash: 'h2',
          statusCode: 201,
          body: '{"id":2}',
        });
      });

      it('a claim taken over is no longer its first owner’s: its complete and release leave the new claim alone', async () => {
        const exp = new Date(Date.now() + 3_600_000);
        const old = await claim('owned', 'h1', exp);
        await new Promise((resolve) => setTimeout(resolve, 30));
        const current = await claim('owned', 'h2', exp, 10);
        expect(current).not.toBe(old);
        // The first request finishes late: its release does not free the new claim...
        await store.idempotency.release('owned', old);
        expect(await store.idempotency.begin('owned', 'h3', exp)).toEqual({ state: 'in_progress' });
        // ...and its complete does not record an outcome for it.
        await store.idempotency.complete('owned', old, 201, '{"id":"old"}');
        expect(await store.idempotency.begin('owned', 'h3', exp)).toEqual({ state: 'in_progress' });
        // The new owner's complete is the one that counts, and a late one after it changes nothing.
        await store.idempotency.complete('owned', current, 202, '{"id":"new"}');
        await store.idempotency.complete('owned', old, 201, '{"id":"old"}');
        await store.idempotency.release('owned', old);
        const done = {
          state: 'done',
          requestHash: 'h2',
          statusCode: 202,
          body: '{"id":"new"}',
        };
        expect(await store.idempotency.begin('owned', 'h2', exp)).toEqual(done);

        // Same for a failed new owner: the stale release is a no-op, the owner's own frees the key.
        const stale = await claim('owned-release', 'h1', exp);
        await new Promise((resolve) => setTimeout(resolve, 30));
        const fresh = await claim('owned-release', 'h1', exp, 10);
        await store.idempotency.release('owned-release', stale);
        expect(await store.idempotency.begin('owned-release', 'h1', exp)).toEqual({ state: 'in_progress' });
        await store.idempotency.release('owned-release', fresh);
        await claim('owned-release', 'h1', exp);
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
