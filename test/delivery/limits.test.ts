import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Receiver, type ReceivedRequest, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

/** A receiver that answers after `delayMs` and tracks how many requests it holds at once. */
async function slowReceiver(delayMs: number) {
  let active = 0;
  let maxActive = 0;
  const receiver = await startReceiver(async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, delayMs));
    active--;
    return { status: 200 };
  });
  return { receiver, maxActive: () => maxActive };
}

/** Arrival times (ms) of requests, by the receiver's clock. */
function arrivals(requests: ReceivedRequest[], times: Map<number, number>): number[] {
  return requests.map((r) => times.get(r.index) ?? 0);
}

/** The most arrivals in any window of `windowMs` (sliding, starting at each arrival). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

forEachBackend('delivery end to end: per-endpoint limits', (backend) => {
  let h: Harness;
  const receivers: Receiver[] = [];
  beforeEach(async () => {
    h = await harness(backend);
  });
  afterEach(async () => {
    await h.close();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('caps one slow endpoint at maxInFlight while another endpoint keeps being served', async () => {
    const slow = await slowReceiver(250);
    const fast = await startReceiver();
    receivers.push(slow.receiver, fast);
    const slowEp = await h.endpoint(slow.receiver.url, { maxInFlight: 2, filterTypes: ['slow.event'] });
    await h.endpoint(fast.url, { filterTypes: ['fast.event'] });
    const send = async (eventType: string) => {
      const { message } = await h.store.messages.create({
        appId: h.app.id,
        eventType,
        eventId: null,
        payload: JSON.stringify({ eventType }),
        channels: null,
        tags: null,
      });
      return message.id;
    };
    for (let i = 0; i < 8; i++) await send('slow.event');
    for (let i = 0; i < 4; i++) await send('fast.event');
    // Plenty of worker slots: only the cap can keep the slow endpoint at two.
    h.worker({ concurrency: 16 }).start();

    await fast.waitFor(4);
    // The fast endpoint's four were delivered while the slow backlog was still being worked through.
    expect(slow.receiver.requests.length).toBeLessThan(8);
    await slow.receiver.waitFor(8);
    await h.until(
      () => h.recorded.filter((r) => r.attempt.endpointId === slowEp.id).length === 8,
      'slow ones',
    );
    expect(slow.maxActive()).toBeLessThanOrEqual(2);
    expect(slow.maxActive()).toBe(2); // the cap is used, not just respected
    expect(h.recorded.every((r) => r.outcome.kind === 'success')).toBe(true);
  });

  it('holds a rate limit (messages per second) and two workers share it', async () => {
    const times = new Map<number, number>();
    const limited = await startReceiver((req) => {
      times.set(req.index, performance.now());
      return { status: 200 };
    });
    receivers.push(limited);
    const ep = await h.endpoint(limited.url, { rateLimit: 5 });
    for (let i = 0; i < 10; i++) await h.send({ i });
    h.worker({ concurrency: 8 }).start();
    h.worker({ concurrency: 8 }).start();
    await limited.waitFor(10);
    await h.until(() => h.recorded.length === 10, 'all recorded');
    // 5/s with a burst of one: at most 6 start in any second. One more for
    // scheduling noise between a claim and its request.
    const perSecond = maxInWindow(arrivals(limited.requests, times), 1000);
    expect(perSecond).toBeLessThanOrEqual(7);
    expect(perSecond).toBeGreaterThan(1);
    expect(new Set(limited.requests.map((r) => r.headers['webhook-id'])).size).toBe(10);
    expect(ep.rateLimit).toBe(5);
  });

  it('holds a rate limit on a slow endpoint with a backlog while an unlimited endpoint is not kept waiting', async () => {
    const times = new Map<number, number>();
    // Slow: every response takes 300 ms, so deliveries to it overlap and hold worker slots.
    const limited = await startReceiver((req) => {
      times.set(req.index, performance.now());
      return { status: 200, delayMs: 300 };
    });
    const fast = await startReceiver();
    receivers.push(limited, fast);
    const limitedEp = await h.endpoint(limited.url, { rateLimit: 5, filterTypes: ['limited.event'] });
    const fastEp = await h.endpoint(fast.url, { filterTypes: ['fast.event'] });
    const workers = [h.worker({ concurrency: 4 }), h.worker({ concurrency: 4 })];
    const send = async (eventType: string) => {
      await h.store.messages.create({
        appId: h.app.id,
        eventType,
        eventId: null,
        payload: JSON.stringify({ eventType }),
        channels: null,
        tags: null,
      });
      for (const w of workers) w.wake();
    };
    const backlog = 20;
    for (let i = 0; i < backlog; i++) await send('limited.event');
    for (let i = 0; i < 4; i++) await send('fast.event');
    for (const w of workers) w.start();

    // The fast endpoint's messages, queued behind the whole limited backlog, go out
    // at once: the limited endpoint has had only a few of its twenty by then.
    await fast.waitFor(4);
    expect(limited.requests.length).toBeLessThan(8);

    // New messages for the fast endpoint while the limited backlog is mid-drain
    // are not queued behind it either.
    await limited.waitFor(8);
    for (let i = 0; i < 4; i++) await send('fast.event');
    await fast.waitFor(8);
    expect(limited.requests.length).toBeLessThan(14);

    await limited.waitFor(backlog);
    await h.until(() => h.recorded.length === backlog + 8, 'all recorded');
    // 5/s with a burst of one: at most 6 start in any second, one more for
    // scheduling noise, however slowly the endpoint answers.
    const perSecond = maxInWindow(arrivals(limited.requests, times), 1000);
    expect(perSecond).toBeLessThanOrEqual(7);
    expect(perSecond).toBeGreaterThan(1);
    expect(limited.requests.length).toBe(backlog); // nothing delivered twice
    expect(new Set(limited.requests.map((r) => r.headers['webhook-id'])).size).toBe(backlog);
    expect(h.recorded.filter((r) => r.attempt.endpointId === limitedEp.id)).toHaveLength(backlog);
    expect(h.recorded.filter((r) => r.attempt.endpointId === fastEp.id)).toHaveLength(8);
    expect(h.recorded.every((r) => r.outcome.kind === 'success')).toBe(true);
  });
});
