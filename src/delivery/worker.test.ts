import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../config.js';
import { noHealthNews } from '../core/policy.js';
import {
  type AttemptResult,
  type ClaimedDelivery,
  type DeliveryQueue,
  PartialClaimError,
} from '../store/store.js';
import type { SendRequest, SendResult, Sender } from './sender.js';
import { createWorker, type WorkerConfig } from './worker.js';
import { until } from '../../test/helpers/until.js';

const config: WorkerConfig = {
  requestTimeoutMs: 5000,
  concurrency: 4,
  leaseMs: 60_000,
  pollIntervalMs: 60_000, // long: tests only move on through wake(), nextDueAt or completions
  retrySchedule: [],
  allowPrivateNetworks: false,
  allowedCidrs: [],
  maxRetryAfterMs: DEFAULTS.maxRetryAfterMs,
  breakerThreshold: DEFAULTS.breakerThreshold,
  breakerBackoffMs: DEFAULTS.breakerBackoffMs,
  autoDisableAfterMs: DEFAULTS.autoDisableAfterMs,
  // Every fake claim is of one endpoint: these tests are about the worker's mechanics, not sharing.
  endpointShare: 0,
};

function claimed(i: number, trigger: 'scheduled' | 'manual' = 'scheduled'): ClaimedDelivery {
  return {
    deliveryId: `dlv_${i}`,
    leaseToken: 'lease',
    attempts: 0,
    trigger,
    message: {
      id: `msg_${i}`,
      appId: 'app',
      eventType: 'e',
      payload: `{"i":${i}}`,
      createdAt: new Date(),
      traceparent: null,
    },
    endpoint: {
      id: 'ep',
      url: 'http://receiver.test/',
      headers: {},
      secrets: [{ key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
      rateLimit: null,
      maxInFlight: null,
      fairCap: null,
      ordered: false,
    },
  };
}

/** An in-memory queue that records how the worker calls it. */
class FakeQueue {
  readonly due: { claim: ClaimedDelivery; at: number }[] = [];
  readonly claimLimits: number[] = [];
  readonly recordCalls: AttemptResult[][] = [];
  readonly renewCalls: string[][] = [];
  failClaims = 0;
  /** Claims that lease one delivery and then fail. */
  partialClaims = 0;
  failRecords = 0;
  nextDue: Date | null = null;

  add(claim: ClaimedDelivery, at = 0): void {
    this.due.push({ claim, at });
  }
  get recorded(): AttemptResult[] {
    return this.recordCalls.flat();
  }

  readonly queue: DeliveryQueue = {
    claimDue: async ({ limit }) => {
      this.claimLimits.push(limit);
      if (this.failClaims-- > 0) throw new Error('SQLITE_BUSY');
      if (this.partialClaims-- > 0) {
        const leased = this.due.splice(0, 1).map((d) => d.claim);
        throw new PartialClaimError(leased, new Error('connection lost'));
      }
      const now = Date.now();
      const ready = this.due.filter((d) => d.at <= now).slice(0, limit);
      for (const r of ready) this.due.splice(this.due.indexOf(r), 1);
      return ready.map((r) => r.claim);
    },
    renewLeases: async (claims) => {
      this.renewCalls.push(claims.map((c) => c.deliveryId));
      return [];
    },
    recordAttempts: async (results) => {
      if (this.failRecords-- > 0) throw new Error('SQLITE_BUSY');
      this.recordCalls.push(results);
      return noHealthNews();
    },
    nextDueAt: async () => this.nextDue,
    shareSlots: () => Promise.reject(new Error('unused: fair sharing is off here')),
    unshare: async () => 0,
    resend: () => Promise.reject(new Error('unused')),
    recover: () => Promise.reject(new Error('unused')),
    hurry: () => Promise.reject(new Error('unused')),
    cancel: () => Promise.reject(new Error('unused')),
    replayMissing: () => Promise.reject(new Error('unused')),
    exhaustedEndpoints: async () => [],
  };
}
const fakeQueue = (): FakeQueue => new FakeQueue();

/** A sender whose responses the test releases (or that answers on the next tick). */
function fakeSender(auto = true) {
  const waiting: (() => void)[] = [];
  const s = {
    inFlight: 0,
    maxInFlight: 0,
    requests: [] as SendRequest[],
    closed: false,
    releaseAll() {
      for (const r of waiting.splice(0)) r();
    },
    sender: {
      async send(req): Promise<SendResult> {
        s.requests.push(req);
        s.inFlight++;
        s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
        await new Promise<void>((r) => (auto ? setImmediate(r) : waiting.push(r)));
        s.inFlight--;
        return { statusCode: 200, body: 'ok', durationMs: 1, errorClass: null, retryAfter: null };
      },
      async close() {
        s.closed = true;
      },
    } satisfies Sender,
  };
  return s;
}

describe('worker', () => {
  it('delivers everything with at most `concurrency` in flight, never claiming more than free slots', async () => {
    const q = fakeQueue();
    for (let i = 0; i < 50; i++) q.add(claimed(i));
    const s = fakeSender();
    const worker = createWorker({ store: q, config, sender: s.sender });
    const originalClaim = q.queue.claimDue;
    const overClaims: number[] = [];
    q.queue.claimDue = (opts) => {
      if (opts.limit > config.concurrency - worker.inFlight) overClaims.push(opts.limit);
      return originalClaim(opts);
    };
    worker.start();
    await until(() => q.recorded.length === 50);
    await worker.stop();
    expect(s.maxInFlight).toBeLessThanOrEqual(config.concurrency);
    expect(overClaims).toEqual([]);
    expect(new Set(q.recorded.map((r) => r.deliveryId)).size).toBe(50);
    expect(q.recorded.every((r) => r.outcome.kind === 'success' && r.attempt.status === 'success')).toBe(
      true,
    );
    // Group commit: fewer transactions than attempts.
    expect(q.recordCalls.length).toBeLessThan(50);
  });

  it('survives store errors on claim and record, and still delivers', async () => {
    const q = fakeQueue();
    q.failClaims = 1;
    q.failRecords = 1;
    for (let i = 0; i < 3; i++) q.add(claimed(i));
    const errors: string[] = [];
    const worker = createWorker({
      store: q,
      config,
      sender: fakeSender().sender,
      events: { error: (e) => errors.push(e.op) },
    });
    worker.start();
    await until(() => q.recorded.length === 3);
    await worker.stop();
    expect(errors).toContain('claim');
    expect(errors).toContain('record');
  });

  it('sends what a claim leased before it failed, and still reports the failure', async () => {
    const q = fakeQueue();
    q.partialClaims = 1;
    q.add(claimed(1));
    const s = fakeSender();
    const errors: string[] = [];
    const worker = createWorker({
      store: q,
      config,
      sender: s.sender,
      events: { error: (e) => errors.push(e.op) },
    });
    worker.start();
    await until(() => q.recorded.length === 1);
    await worker.stop();
    expect(q.recorded.map((r) => r.deliveryId)).toEqual([claimed(1).deliveryId]);
    expect(errors).toContain('claim');
  });

  it('wake() claims new work without waiting for the poll', async () => {
    const q = fakeQueue();
    const worker = createWorker({ store: q, config, sender: fakeSender().sender });
    worker.start();
    await until(() => q.claimLimits.length === 1);
    q.add(claimed(1));
    worker.wake();
    await until(() => q.recorded.length === 1);
    await worker.stop();
  });

  it('sleeps until nextDueAt when that comes before the poll', async () => {
    const q = fakeQueue();
    // Far enough ahead that a slow machine still sees it in the future; the
    // 60 s poll interval would time the test out if nextDueAt were ignored.
    q.add(claimed(1), Date.now() + 500);
    q.nextDue = new Date(Date.now() + 500);
    const worker = createWorker({ store: q, config, sender: fakeSender().sender });
    worker.start();
    await until(() => q.recorded.length === 1);
    await worker.stop();
  });

  it('looks again soon, not at the next poll, when the earliest due time has passed', async () => {
    const q = fakeQueue();
    // Not claimable at the first look, due by the time of the recheck.
    q.add(claimed(1), Date.now() + 100);
    q.nextDue = new Date(Date.now() - 1000);
    const worker = createWorker({ store: q, config, sender: fakeSender().sender });
    worker.start();
    await until(() => q.recorded.length === 1); // fails at its timeout if the worker waited for the 60 s poll
    await worker.stop();
  });

  it('stop() waits for attempts in flight and stores their results', async () => {
    const q = fakeQueue();
    q.add(claimed(1));
    q.add(claimed(2));
    const s = fakeSender(false);
    const worker = createWorker({ store: q, config, sender: s.sender });
    worker.start();
    await until(() => s.inFlight === 2);
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    q.add(claimed(3));
    worker.wake();
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    s.releaseAll();
    await stopping;
    expect(q.recorded.map((r) => r.deliveryId).sort()).toEqual(['dlv_1', 'dlv_2']);
    expect(s.requests).toHaveLength(2); // nothing claimed after stop()
    expect(worker.stop()).toBe(worker.stop());
  });

  it('renews the leases of long attempts', async () => {
    const q = fakeQueue();
    q.add(claimed(1));
    const s = fakeSender(false);
    const worker = createWorker({ store: q, config: { ...config, leaseMs: 30 }, sender: s.sender });
    worker.start();
    await until(() => q.renewCalls.length >= 2);
    s.releaseAll();
    await worker.stop();
    expect(q.renewCalls[0]).toEqual(['dlv_1']);
  });

  it('records a thrown sender error as a failed attempt and one-shot manual attempts as fail', async () => {
    const q = fakeQueue();
    q.add(claimed(1, 'manual'));
    const errors: string[] = [];
    const worker = createWorker({
      store: q,
      config: { ...config, retrySchedule: [1000] },
      sender: {
        send: () => Promise.reject(new Error('boom')),
        close: async () => {},
      },
      events: {
        error: (e) => errors.push(e.op),
        attempt: () => {
          throw new Error('a broken listener');
        },
      },
    });
    worker.start();
    await until(() => q.recorded.length === 1);
    await worker.stop();
    const r = q.recorded[0]!;
    expect(r.outcome).toEqual({ kind: 'fail' });
    expect(r.attempt).toMatchObject({
      status: 'fail',
      errorClass: 'other',
      responseStatusCode: 0,
      trigger: 'manual',
    });
    expect(r.attempt.response).toContain('boom');
    expect(errors).toEqual(['send']);
  });

  it('cuts a thrown error text to 4 KiB of UTF-8, not 4096 characters', async () => {
    const q = fakeQueue();
    q.add(claimed(1));
    const worker = createWorker({
      store: q,
      config,
      sender: { send: () => Promise.reject(new Error('é'.repeat(5000))), close: async () => {} },
    });
    worker.start();
    await until(() => q.recorded.length === 1);
    await worker.stop();
    const stored = q.recorded[0]!.attempt.response;
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(4096);
    expect(stored).toMatch(/^.*é+$/);
  });

  it('does not close a sender it was given, and stop() before start() resolves', async () => {
    const s = fakeSender();
    const worker = createWorker({ store: fakeQueue(), config, sender: s.sender });
    await worker.stop();
    expect(s.closed).toBe(false);
  });
});
