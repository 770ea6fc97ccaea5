import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('delivery end to end: worker lifecycle', (backend) => {
  let h: Harness;
  let receiver: Receiver;
  beforeEach(async () => {
    h = await harness(backend);
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('stop() lets the attempt in flight finish and stores it', async () => {
    await h.endpoint(receiver.url);
    receiver.enqueue({ status: 200, body: 'late', delayMs: 300 });
    const worker = h.worker();
    worker.start();
    const msgId = await h.send();
    await receiver.waitFor(1);
    expect(worker.inFlight).toBe(1);
    await worker.stop();

    expect(worker.inFlight).toBe(0);
    const attempts = await h.attempts(msgId);
    expect(attempts.map((a) => [a.status, a.response])).toEqual([['success', 'late']]);
    expect(await h.delivery(msgId)).toMatchObject({ status: 'success' });
  });

  it('stop() is bounded by the request timeout when the receiver never answers', async () => {
    await h.endpoint(receiver.url);
    receiver.respondWith(() => ({ action: 'hang' }));
    const worker = h.worker({ requestTimeoutMs: 300, retrySchedule: [60_000] });
    worker.start();
    const msgId = await h.send();
    await receiver.waitFor(1);
    await worker.stop();

    const attempts = await h.attempts(msgId);
    expect(attempts.map((a) => a.errorClass)).toEqual(['timeout']);
    expect(await h.delivery(msgId)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers what a dead worker had claimed once its lease expires (at-least-once)', async () => {
    await h.endpoint(receiver.url);
    const msgId = await h.send();
    // A worker that claimed and then died (SIGKILL): leased, never sent, never recorded.
    const [lost] = await h.store.queue.claimDue({ limit: 10, leaseMs: 100 });
    expect(lost?.message.id).toBe(msgId);

    h.worker().start();
    await h.until(() => h.recorded.length === 1, 'the attempt after the lease expired');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(msgId);
    expect(await h.delivery(msgId)).toMatchObject({ status: 'success', attempts: 1 });
  });

  it('two workers on one store deliver each message once, to every endpoint', async () => {
    const second = await startReceiver();
    try {
      await h.endpoint(receiver.url);
      await h.endpoint(second.url);
      h.worker({ concurrency: 4 }).start();
      h.worker({ concurrency: 16 }).start();
      const ids: string[] = [];
      for (let i = 0; i < 150; i++) ids.push(await h.send({ type: 'order.created', n: i }));
      await h.until(() => h.recorded.length === 300, 'all 300 attempts');

      for (const r of [receiver, second]) {
        const seen = r.requests.map((q) => q.headers['webhook-id']);
        expect(seen).toHaveLength(150);
        expect(new Set(seen)).toEqual(new Set(ids));
      }
      expect(h.recorded.every((r) => r.outcome.kind === 'success')).toBe(true);
      const statuses = await Promise.all(
        ids.slice(0, 10).map(async (id) => {
          const page = await h.store.messages.deliveries(h.app.id, id, { limit: 10 });
          return page.items.map((i) => i.delivery.status);
        }),
      );
      expect(statuses.flat()).toEqual(Array(20).fill('success'));
    } finally {
      await second.close();
    }
  });

  it('picks up work without wake() through the poll and nextDueAt', async () => {
    await h.endpoint(receiver.url);
    h.worker({ pollIntervalMs: 50 }).start();
    // Created behind the worker's back: no wake-up reaches it.
    const { message } = await h.store.messages.create({
      appId: h.app.id,
      eventType: 'quiet.event',
      eventId: null,
      payload: '{}',
      channels: null,
      tags: null,
    });
    await h.until(() => h.recorded.length === 1, 'the polled attempt');
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(message.id);
  });
});
