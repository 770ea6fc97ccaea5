import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

/** Per request: how many others were open when it arrived, and which had been answered. */
interface Seen {
  id: string;
  openAtArrival: number;
  answeredBefore: number;
}

/** A receiver answering through `decide`, after `delayMs`, that logs what was in flight. */
async function watchingReceiver(decide: (id: string, index: number) => number, delayMs = 20) {
  const seen: Seen[] = [];
  let open = 0;
  let answered = 0;
  const receiver = await startReceiver(async (req) => {
    const id = String(req.headers['webhook-id']);
    seen.push({ id, openAtArrival: open, answeredBefore: answered });
    open++;
    await new Promise((r) => setTimeout(r, delayMs));
    open--;
    answered++;
    return { status: decide(id, req.index) };
  });
  return { receiver, seen };
}

forEachBackend('delivery end to end: circuit breaker and ordering', (backend) => {
  let h: Harness;
  let receiver: Receiver | undefined;
  beforeEach(async () => {
    h = await harness(backend);
  });
  afterEach(async () => {
    await h.close();
    await receiver?.close();
  });

  it('opens after consecutive failures, sends one probe at a time with backoff, closes on success and drains', async () => {
    // The first 7 requests fail: 6 first tries, then the first probe.
    const w = await watchingReceiver((_, index) => (index < 7 ? 500 : 200));
    receiver = w.receiver;
    const ep = await h.endpoint(receiver.url);
    const msgIds: string[] = [];
    for (let i = 0; i < 6; i++) msgIds.push(await h.send({ i }));
    // The worker's clock stands still until all six first tries are recorded, so
    // none of their 50 ms retries is due before the breaker has opened. Without
    // it, a slow recording (a PostgreSQL transaction under load took over 100 ms)
    // let the first failures' retries go out together before the third failure
    // was stored: ordinary retries, as the breaker was not open yet, not probes.
    let frozen: Date | null = new Date();
    h.worker(
      {
        concurrency: 8,
        // All six first tries in flight at once: fair sharing would hold one endpoint to a share of the slots.
        endpointShare: 8,
        retrySchedule: Array(10).fill(50),
        breakerThreshold: 3,
        breakerBackoffMs: 300,
      },
      { now: () => frozen ?? new Date() },
    ).start();
    await h.until(() => h.recorded.length === 6, 'the six first tries recorded');
    frozen = null;
    await h.until(() => h.recorded.filter((r) => r.outcome.kind === 'success').length === 6, 'all delivered');

    const seen = w.seen;
    expect(seen).toHaveLength(13); // 6 failures, a failed probe, a good probe, 5 drained
    // Both probes went alone: nothing else in flight, everything before them answered.
    for (const probe of [seen[6]!, seen[7]!]) {
      expect(probe.openAtArrival).toBe(0);
    }
    expect(seen[6]!.answeredBefore).toBe(6);
    expect(seen[7]!.answeredBefore).toBe(7);
    // The backlog drained only after the good probe was answered.
    for (const s of seen.slice(8)) expect(s.answeredBefore).toBeGreaterThanOrEqual(8);
    // The probes waited for the breaker (300 ms, then 600 ms), not the 200 ms retry schedule.
    const attempts = (
      await h.store.attempts.listByEndpoint(h.app.id, ep.id, {}, { limit: 100 })
    ).items.reverse();
    const started = attempts.map((a) => a.createdAt.getTime());
    const lastFirstTry = Math.max(...started.slice(0, 6));
    expect(started[6]! - lastFirstTry).toBeGreaterThanOrEqual(300);
    expect(started[7]! - started[6]!).toBeGreaterThanOrEqual(600);
    for (const id of msgIds) expect(await h.delivery(id)).toMatchObject({ status: 'success' });
  });

  it('delivers an ordered endpoint one at a time in accept order; a message failing three times holds the rest back', async () => {
    let m1 = '';
    let failures = 0;
    const w = await watchingReceiver((id) => (id === m1 && failures++ < 3 ? 500 : 200));
    receiver = w.receiver;
    await h.endpoint(receiver.url, { ordered: true });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await h.send({ i }));
    m1 = ids[1]!;
    h.worker({ concurrency: 8, retrySchedule: [50, 50, 50, 50] }).start();
    await h.until(() => h.recorded.filter((r) => r.outcome.kind === 'success').length === 4, 'all delivered');

    expect(w.seen.map((s) => ids.indexOf(s.id))).toEqual([0, 1, 1, 1, 1, 2, 3]);
    expect(w.seen.every((s) => s.openAtArrival === 0)).toBe(true);
    for (const id of ids) expect(await h.delivery(id)).toMatchObject({ status: 'success' });
  });

  it('an operator skip releases an ordered endpoint held by a failing message', async () => {
    let stuck = '';
    const w = await watchingReceiver((id) => (id === stuck ? 500 : 200));
    receiver = w.receiver;
    const ep = await h.endpoint(receiver.url, { ordered: true });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await h.send({ i }));
    stuck = ids[0]!;
    const worker = h.worker({ retrySchedule: [60_000] });
    worker.start();
    await h.until(() => h.recorded.length === 1, 'the first failure');
    expect(await h.delivery(ids[0]!)).toMatchObject({ status: 'pending' });
    await h.store.queue.cancel(h.app.id, ids[0]!, ep.id);
    worker.wake();
    await h.until(() => h.recorded.length === 3, 'the rest delivered');
    expect(w.seen.map((s) => ids.indexOf(s.id))).toEqual([0, 1, 2]);
    expect(await h.delivery(ids[0]!)).toMatchObject({ status: 'canceled' });
  });
});
