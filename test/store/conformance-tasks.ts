import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { EXPUNGED_PAYLOAD, EXPUNGED_RESPONSE } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';
import type { Conformance } from './conformance.js';

/** Background tasks, expunged content, replay-missing and one-endpoint messages (008_tasks_and_expunge). */
export function tasksConformance(t: Conformance) {
  describe('background tasks', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

    it('holds a running task by its lease: renewed it stays, lapsed it fails; ended ones are pruned', async () => {
      const store = t.store();
      const held = await store.tasks.create({
        id: newId('qtask'),
        task: 'endpoint.replay',
        leaseUntil: at(1000),
        now: at(0),
      });
      const dropped = await store.tasks.create({
        id: newId('qtask'),
        task: 'endpoint.replay',
        leaseUntil: at(1000),
        now: at(0),
      });
      expect(held).toMatchObject({ status: 'running', data: {} });
      await store.tasks.renew([held.id], at(5000));
      expect(await store.tasks.failAbandoned(at(2000), { error: 'interrupted' })).toBe(1);
      expect(await store.tasks.get(dropped.id)).toMatchObject({
        status: 'failed',
        data: { error: 'interrupted' },
      });
      expect(await store.tasks.get(held.id)).toMatchObject({ status: 'running' });

      await store.tasks.settle(held.id, 'finished', { replayed: 3 });
      expect(await store.tasks.get(held.id)).toMatchObject({ status: 'finished', data: { replayed: 3 } });
      // Settling again, or renewing, changes nothing once ended.
      await store.tasks.settle(held.id, 'failed', {});
      await store.tasks.renew([held.id], at(9000));
      expect(await store.tasks.failAbandoned(new Date(Date.now() + 60_000), {})).toBe(0);
      expect(await store.tasks.get(held.id)).toMatchObject({ status: 'finished' });

      const running = await store.tasks.create({
        id: newId('qtask'),
        task: 'endpoint.recover',
        leaseUntil: new Date(Date.now() + 60_000),
        now: new Date(),
      });
      expect(await store.tasks.prune(new Date(Date.now() + 1000))).toBe(2);
      expect(await store.tasks.get(held.id)).toBeNull();
      expect(await store.tasks.get(running.id)).toMatchObject({ status: 'running' });
    });
  });

  describe('expunged content, replay-missing, one-endpoint messages', () => {
    it('expunges a batch of an app in id order, and a message twice is still one', async () => {
      const store = t.store();
      const app = await t.newApp();
      const other = await t.newApp();
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push((await t.send(app.id)).message);
      const kept = (await t.send(other.id)).message;
      const first = await store.messages.expungeBatch(app.id, null, 2);
      expect(first).toEqual({ last: sent[1]!.id, expunged: 2 });
      expect(await store.messages.expungeBatch(app.id, first.last, 2)).toEqual({
        last: sent[2]!.id,
        expunged: 1,
      });
      expect(await store.messages.expungeBatch(app.id, sent[2]!.id, 2)).toEqual({ last: null, expunged: 0 });
      const expunged = await store.messages.get(app.id, sent[0]!.id);
      expect(expunged?.payload).toBe(EXPUNGED_PAYLOAD);
      expect(expunged?.expungedAt).toBeInstanceOf(Date);
      await store.messages.expungeContent(app.id, sent[0]!.id);
      expect((await store.messages.get(app.id, sent[0]!.id))?.expungedAt).toEqual(expunged?.expungedAt);
      expect((await store.messages.get(other.id, kept.id))?.expungedAt).toBeNull();
      await expect(store.messages.expungeContent(other.id, sent[0]!.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(store.attempts.expungeContent(app.id, sent[0]!.id, 'atmpt_x')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(EXPUNGED_RESPONSE).toBe('EXPUNGED');
    });

    it('replays to an endpoint only what it never had, within the window and its filter', async () => {
      const store = t.store();
      const app = await t.newApp();
      const a = (await t.send(app.id, 'a.b')).message;
      const b = (await t.send(app.id, 'c.d')).message;
      const ep = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['a.b'] }));
      expect(
        await store.queue.replayMissing(app.id, ep.id, new Date(a.createdAt.getTime() + 1000), null),
      ).toBe(0);
      expect(await store.queue.replayMissing(app.id, ep.id, a.createdAt, null)).toBe(1);
      expect(await store.queue.replayMissing(app.id, ep.id, a.createdAt, null)).toBe(0);
      const owed = await store.messages.forEndpoint(app.id, ep.id, {}, { limit: 10 });
      expect(owed.items.map((d) => [d.message.id, d.delivery.trigger])).toEqual([[a.id, 'manual']]);
      expect(b.eventType).toBe('c.d');
      await store.messages.expungeContent(app.id, a.id);
      const open = await store.endpoints.create(app.id, endpointInput());
      expect(await store.queue.replayMissing(app.id, open.id, a.createdAt, null)).toBe(1);
    });

    it('creates a message with one delivery, to the endpoint named only', async () => {
      const store = t.store();
      const app = await t.newApp();
      const target = await store.endpoints.create(app.id, endpointInput({ filterTypes: ['other.type'] }));
      await store.endpoints.create(app.id, endpointInput());
      const input = {
        appId: app.id,
        eventType: 'x.y',
        eventId: null,
        payload: '{"a":1}',
        channels: null,
        tags: null,
      };
      const { message, deliveries } = await store.messages.createFor(input, target.id);
      expect(deliveries).toBe(1);
      const page = await store.messages.deliveries(app.id, message.id, { limit: 10 });
      expect(page.items.map((d) => d.endpoint.id)).toEqual([target.id]);
      await expect(
        store.messages.createFor({ ...input, appId: 'app_missing' }, target.id),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
}
