import { describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/until.js';
import type { AttemptResult, ClaimedDelivery } from '../store/store.js';
import type { WorkerErrorEvent } from './events.js';
import { createFairShare } from './fair-share.js';
import { createScheduler, type Slots } from './scheduler.js';

function claimed(i: number, over: Partial<ClaimedDelivery['endpoint']> = {}): ClaimedDelivery {
  return {
    deliveryId: `dlv_${i}`,
    leaseToken: 'lease',
    attempts: 0,
    trigger: 'scheduled',
    message: {
      id: `msg_${i}`,
      appId: 'app',
      eventType: 'e',
      payload: '{}',
      createdAt: new Date(),
      traceparent: null,
    },
    endpoint: {
      id: 'ep',
      url: 'http://receiver.test/',
      headers: {},
      secrets: [],
      rateLimit: null,
      maxInFlight: null,
      fairCap: null,
      ordered: false,
      ...over,
    },
  };
}

const recorded = (c: ClaimedDelivery, status: 'success' | 'fail'): AttemptResult =>
  ({ deliveryId: c.deliveryId, attempt: { status } }) as AttemptResult;

type MutableSlots = { -readonly [K in keyof Slots]: Slots[K] };

/** A scheduler over an in-memory queue whose claims the test hands out, and slots it counts. */
function setUp({ concurrency = 8, pollIntervalMs = 600_000 } = {}) {
  const started: string[] = [];
  const t = {
    /** What the next claims return, in order (an Error is thrown); then nothing. */
    answers: [] as (ClaimedDelivery[] | Error | Promise<ClaimedDelivery[]>)[],
    claimLimits: [] as number[],
    nextDueCalls: 0,
    started,
    errors: [] as WorkerErrorEvent[],
    slots: { inFlight: 0, paused: false, start: (c) => void started.push(c.deliveryId) } as MutableSlots,
  };
  const scheduler = createScheduler({
    queue: {
      claimDue: async ({ limit }) => {
        t.claimLimits.push(limit);
        const answer = t.answers.shift() ?? [];
        if (answer instanceof Error) throw answer;
        return answer;
      },
      nextDueAt: async () => {
        t.nextDueCalls++;
        return null;
      },
      shareSlots: () => Promise.reject(new Error('unused: fair sharing is off here')),
    },
    fair: createFairShare(0, 64),
    config: { concurrency, leaseMs: 60_000, pollIntervalMs },
    now: () => new Date(),
    emit: (name, payload) => {
      if (name === 'error') t.errors.push(payload as WorkerErrorEvent);
    },
    slots: t.slots,
  });
  return { t, scheduler };
}

describe('scheduler', () => {
  it('claims at start, then sleeps; wake-ups arriving together share one claim', async () => {
    const { t, scheduler } = setUp();
    scheduler.start();
    await until(() => t.nextDueCalls === 1); // the first claim found nothing
    t.answers.push([claimed(1)]);
    for (let i = 0; i < 5; i++) scheduler.wake();
    await until(() => t.started.length === 1);
    // The short claim plans its next look at the (10 min) poll: nothing else claims.
    expect(t.claimLimits).toEqual([8, 8]);
    scheduler.stop();
  });

  it('claims only free slots, waits for a quarter of them when busy, and not while results cannot be stored', () => {
    const { t, scheduler } = setUp({ concurrency: 8 });
    t.slots.inFlight = 7;
    scheduler.start(); // claimDue would be called synchronously
    expect(t.claimLimits).toEqual([]);
    t.slots.inFlight = 6;
    t.slots.paused = true;
    scheduler.pump();
    expect(t.claimLimits).toEqual([]);
    t.slots.paused = false;
    scheduler.pump();
    expect(t.claimLimits).toEqual([2]);
    scheduler.stop();
  });

  it('looks again when a gated delivery or a failure was stored, not after a plain success', async () => {
    const { t, scheduler } = setUp();
    const plain = claimed(1);
    const capped = claimed(2, { maxInFlight: 1 });
    t.answers.push([plain, capped]);
    scheduler.start();
    // A short claim: no more work is expected until something changes (or the 10 min poll).
    await until(() => t.started.length === 2);
    scheduler.recorded(recorded(plain, 'success'));
    scheduler.pump(); // claimDue would be called synchronously
    expect(t.claimLimits).toEqual([8]);
    // The capped endpoint's slot is free again.
    scheduler.recorded(recorded(capped, 'success'));
    scheduler.pump();
    expect(t.claimLimits).toEqual([8, 8]);
    await until(() => t.nextDueCalls === 1); // that claim found nothing and went to sleep
    // A failure may have opened a breaker or queued an operational event.
    scheduler.recorded(recorded(plain, 'fail'));
    scheduler.pump();
    await until(() => t.claimLimits.length === 3);
    scheduler.stop();
  });

  it("claims a rate-limited endpoint's backlog again at its next token, not at the poll", async () => {
    const { t, scheduler } = setUp();
    t.answers.push([claimed(1, { rateLimit: 20 })], [claimed(2, { rateLimit: 20 })]);
    scheduler.start();
    // Fails at the test timeout if the second claim waited for the 10 min poll.
    await until(() => t.started.length === 2);
    scheduler.stop();
  });

  it('backs off after failed claims, doubling, and still claims', async () => {
    const { t, scheduler } = setUp();
    t.answers.push(new Error('SQLITE_BUSY'), new Error('SQLITE_BUSY'), [claimed(1)]);
    scheduler.start();
    await until(() => t.started.length === 1);
    expect(t.errors.map((e) => [e.op, e.retryInMs])).toEqual([
      ['claim', 100],
      ['claim', 200],
    ]);
    scheduler.stop();
  });

  it('stop() ends claiming and returns the claim under way, whose deliveries still start', async () => {
    const { t, scheduler } = setUp();
    let answer: (claims: ClaimedDelivery[]) => void = () => {};
    t.answers.push(new Promise((resolve) => (answer = resolve)));
    scheduler.start();
    const claiming = scheduler.stop();
    expect(claiming).not.toBeNull();
    scheduler.wake();
    scheduler.wakeAfter(0);
    answer([claimed(1)]);
    await claiming;
    expect(t.started).toEqual(['dlv_1']);
    scheduler.pump();
    expect(t.claimLimits).toEqual([8]);
    expect(scheduler.stop()).toBeNull();
  });

  it('takes fresh work handed over only once nothing older may be waiting, and only into free slots', async () => {
    const { t, scheduler } = setUp({ concurrency: 8 });
    expect(scheduler.taker.room()).toBe(0); // not started
    scheduler.start();
    expect(scheduler.taker.room()).toBe(0); // its first claim has not come back yet
    await until(() => t.nextDueCalls === 1); // ...now it has, short
    t.slots.inFlight = 3;
    expect(scheduler.taker.room()).toBe(5);
    scheduler.taker.take([claimed(1), claimed(2)]);
    expect(t.started).toEqual(['dlv_1', 'dlv_2']);
    // Work that was not handed over wakes the worker: until its claim comes back short, claims go first.
    scheduler.wake();
    expect(scheduler.taker.room()).toBe(0);
    await until(() => t.nextDueCalls === 2);
    expect(scheduler.taker.room()).toBe(5);
    t.slots.paused = true;
    expect(scheduler.taker.room()).toBe(0);
    t.slots.paused = false;
    scheduler.stop();
    expect(scheduler.taker.room()).toBe(0);
  });
});
