import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/delivery/sender.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('delivery end to end: retries', (backend) => {
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

  it('retries through a 500, a reset connection and a timeout, then delivers and records every attempt', async () => {
    const endpoint = await h.endpoint(`${receiver.url}/hook`);
    const secret = endpoint.secrets[0]!.key;
    receiver.enqueue(
      { status: 500, body: 'x'.repeat(10_000) },
      { action: 'destroy' },
      { action: 'hang' },
      { status: 200, body: 'thanks' },
    );
    // Each attempt runs on a clock one second later, so the re-signed timestamps must differ.
    let skewMs = 0;
    const worker = h.worker(
      { requestTimeoutMs: 500, retrySchedule: [50, 100, 100, 100] },
      { now: () => new Date(Date.now() + skewMs), events: { attempt: () => (skewMs += 1000) } },
    );
    worker.start();
    const msgId = await h.send({ type: 'payment.succeeded', amount: 4200 });
    await h.until(() => h.recorded.some((r) => r.outcome.kind === 'success'), 'the successful attempt');

    const requests = receiver.requests;
    expect(requests).toHaveLength(4);
    const timestamps = requests.map((r) => Number(r.headers['webhook-timestamp']));
    for (const r of requests) {
      expect(r.headers['webhook-id']).toBe(msgId);
      expect(r.body).toBe(JSON.stringify({ type: 'payment.succeeded', amount: 4200 }));
      expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toBeTruthy();
    }
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(timestamps).size).toBe(4);

    const attempts = await h.attempts(msgId);
    expect(attempts.map((a) => [a.status, a.responseStatusCode, a.errorClass])).toEqual([
      ['fail', 500, 'http'],
      ['fail', 0, 'connect'],
      ['fail', 0, 'timeout'],
      ['success', 200, null],
    ]);
    expect(attempts[0]!.response).toBe('x'.repeat(MAX_RESPONSE_BYTES));
    expect(attempts[3]!.response).toBe('thanks');
    for (const a of attempts) {
      expect(a.url).toBe(`${receiver.url}/hook`);
      expect(a.trigger).toBe('scheduled');
      expect(a.endpointId).toBe(endpoint.id);
      expect(Number.isInteger(a.responseDurationMs) && a.responseDurationMs >= 0).toBe(true);
    }
    const delivery = await h.delivery(msgId);
    expect(delivery).toMatchObject({ status: 'success', attempts: 4 });
  });

  it('fails for good once the schedule is exhausted', async () => {
    await h.endpoint(receiver.url);
    receiver.respondWith(() => ({ status: 503, body: 'down' }));
    h.worker({ retrySchedule: [50, 100] }).start();
    const msgId = await h.send();
    await h.until(() => h.recorded.some((r) => r.outcome.kind === 'fail'), 'the final failure');

    const attempts = await h.attempts(msgId);
    expect(attempts.map((a) => a.responseStatusCode)).toEqual([503, 503, 503]);
    expect(await h.delivery(msgId)).toMatchObject({ status: 'fail', attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
  });

  it('makes a manual resend one-shot: a failure does not schedule retries', async () => {
    const endpoint = await h.endpoint(receiver.url);
    receiver.respondWith(() => ({ status: 500 }));
    const worker = h.worker({ retrySchedule: [] });
    worker.start();
    const msgId = await h.send();
    await h.until(() => h.recorded.length === 1, 'the first attempt');
    expect(await h.delivery(msgId)).toMatchObject({ status: 'fail' });

    await h.store.queue.resend(h.app.id, msgId, endpoint.id);
    worker.wake();
    await h.until(() => h.recorded.length === 2, 'the manual attempt');
    const last = h.recorded[1]!;
    expect(last.attempt.trigger).toBe('manual');
    expect(last.outcome).toEqual({ kind: 'fail' });
    expect(await h.delivery(msgId)).toMatchObject({ status: 'fail' });

    receiver.respondWith(() => ({ status: 200 }));
    await h.store.queue.resend(h.app.id, msgId, endpoint.id);
    worker.wake();
    await h.until(() => h.recorded.length === 3, 'the second manual attempt');
    expect(await h.delivery(msgId)).toMatchObject({ status: 'success' });
    expect((await h.attempts(msgId)).map((a) => a.trigger)).toEqual(['scheduled', 'manual', 'manual']);
  });

  it('a failed manual attempt ends the delivery even when scheduled retries remain', async () => {
    const endpoint = await h.endpoint(receiver.url);
    receiver.respondWith(() => ({ status: 500 }));
    const worker = h.worker({ retrySchedule: [60_000] });
    worker.start();
    const msgId = await h.send();
    await h.until(() => h.recorded.length === 1, 'the first attempt');
    expect(await h.delivery(msgId)).toMatchObject({ status: 'pending' });

    await h.store.queue.resend(h.app.id, msgId, endpoint.id);
    worker.wake();
    await h.until(() => h.recorded.length === 2, 'the manual attempt');
    expect(h.recorded[1]!.outcome).toEqual({ kind: 'fail' });
    expect(await h.delivery(msgId)).toMatchObject({ status: 'fail' });
  });
});
