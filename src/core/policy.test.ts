import { describe, expect, it } from 'vitest';
import {
  advanceTat,
  applyResults,
  claimQuota,
  type Gate,
  HEALTHY,
  planHealth,
  RATE_BURST_MS,
  rateTokens,
  type EndpointPolicy,
} from './policy.js';

/** The defaults config.ts ships. */
const DEFAULT_POLICY: EndpointPolicy = {
  breakerThreshold: 5,
  breakerBackoffMs: 30_000,
  breakerMaxBackoffMs: 30 * 60_000,
  autoDisableAfterMs: 5 * 86_400_000,
};
import type { AttemptResult } from './model.js';

const gate = (over: Partial<Gate> = {}): Gate => ({
  rateLimit: null,
  maxInFlight: null,
  fairCap: null,
  ordered: false,
  breakerOpen: false,
  rateTat: null,
  breakerRetryAt: null,
  inFlight: 0,
  ...over,
});

const attempt = (ok: boolean, at: number, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  deliveryId: `dlv_${at}`,
  leaseToken: 't',
  outcome: ok ? { kind: 'success' } : { kind: 'retry', at: new Date(at + 1000) },
  attempt: {
    appId: 'app_1',
    msgId: `msg_${at}`,
    endpointId: 'ep_1',
    url: 'https://x',
    status: ok ? 'success' : 'fail',
    responseStatusCode: ok ? 200 : 500,
    response: '',
    responseDurationMs: 1,
    errorClass: ok ? null : 'http',
    trigger: 'scheduled',
    createdAt: new Date(at),
  },
  ...extra,
});

describe('claimQuota', () => {
  it('is unlimited without limits, and the smallest limit wins', () => {
    expect(claimQuota(gate(), 0)).toBe(Number.POSITIVE_INFINITY);
    expect(claimQuota(gate({ maxInFlight: 3, inFlight: 1 }), 0)).toBe(2);
    expect(claimQuota(gate({ maxInFlight: 3, inFlight: 5 }), 0)).toBe(0);
    expect(claimQuota(gate({ maxInFlight: 3, rateLimit: 4 }), 0)).toBe(1);
  });
  it('takes one at a time for ordered endpoints and open breakers, none while one is in flight', () => {
    expect(claimQuota(gate({ ordered: true }), 0)).toBe(1);
    expect(claimQuota(gate({ ordered: true, inFlight: 1 }), 0)).toBe(0);
    expect(claimQuota(gate({ breakerOpen: true, breakerRetryAt: 100 }), 99)).toBe(0);
    expect(claimQuota(gate({ breakerOpen: true, breakerRetryAt: 100 }), 100)).toBe(1);
    expect(claimQuota(gate({ breakerOpen: true, breakerRetryAt: 100, inFlight: 1 }), 200)).toBe(0);
  });
});

describe('rate limiter (GCRA)', () => {
  it('allows a 250 ms burst (at least one) and then one per interval', () => {
    expect(rateTokens(4, null, 0)).toBe(1);
    expect(rateTokens(40, null, 0)).toBe(10);
    expect(rateTokens(1, null, 0)).toBe(1);
    let tat = advanceTat(40, null, 0, 10);
    expect(tat).toBe(250);
    expect(rateTokens(40, tat, 0)).toBe(0);
    expect(rateTokens(40, tat, 25)).toBe(1);
    tat = advanceTat(40, tat, 25, 1);
    expect(rateTokens(40, tat, 25)).toBe(0);
    // Idle time does not bank more than the burst.
    expect(rateTokens(40, tat, 60_000)).toBe(10);
  });
  it('sends at most rate + burst in any second, however often it is asked', () => {
    let tat: number | null = null;
    let sent = 0;
    for (let now = 0; now < 1000; now += 7) {
      const n = rateTokens(10, tat, now);
      tat = n > 0 ? advanceTat(10, tat, now, n) : tat;
      sent += n;
    }
    expect(sent).toBeLessThanOrEqual(10 + 2);
    expect(sent).toBeGreaterThanOrEqual(10);
  });
  it('keeps every rate at epoch-sized times, where float rounding once starved 3/s', () => {
    const epoch = Date.parse('2026-11-29T16:00:00Z');
    for (let rate = 1; rate <= 2000; rate++) {
      expect(rateTokens(rate, null, epoch + (rate % 997)), `rate ${rate}`).toBeGreaterThanOrEqual(1);
      // Two seconds of claims every 7 ms: the rate, plus at most the burst.
      let tat: number | null = null;
      let sent = 0;
      for (let now = epoch; now < epoch + 2000; now += 7) {
        const n = rateTokens(rate, tat, now);
        if (n > 0) tat = advanceTat(rate, tat, now, n);
        sent += n;
      }
      const burst = Math.max(1, Math.floor((RATE_BURST_MS * rate) / 1000));
      expect(sent, `rate ${rate}`).toBeGreaterThanOrEqual(Math.min(2 * rate, Math.ceil(2000 / 7)));
      expect(sent, `rate ${rate}`).toBeLessThanOrEqual(2 * rate + burst + 1);
    }
  });
});

describe('applyResults', () => {
  const policy = { ...DEFAULT_POLICY, breakerThreshold: 3, breakerBackoffMs: 100, breakerMaxBackoffMs: 250 };

  it('marks the first failure of a run, opens the breaker at the threshold and closes it on success', () => {
    const first = attempt(false, 1);
    const opened = applyResults(HEALTHY, [first, attempt(false, 2), attempt(false, 3)], policy, 10);
    expect(opened.startedFailing).toBe(first);
    expect(opened.next).toMatchObject({
      consecutiveFailures: 3,
      failingSince: 1,
      breakerOpen: true,
      breakerRetryAt: 110,
    });
    // A failure that started before the probe time is a straggler; a probe's failure doubles the wait.
    const straggler = applyResults(opened.next, [attempt(false, 50)], policy, 60);
    expect(straggler.next.breakerRetryAt).toBe(110);
    expect(straggler.startedFailing).toBeNull();
    const probe = applyResults(straggler.next, [attempt(false, 120)], policy, 130);
    expect(probe.next).toMatchObject({ breakerOpens: 2, breakerRetryAt: 330 });
    const capped = applyResults(probe.next, [attempt(false, 400)], policy, 400);
    expect(capped.next.breakerRetryAt).toBe(650);
    expect(applyResults(capped.next, [attempt(true, 700)], policy, 700).next).toEqual(HEALTHY);
  });

  it('disables on 410 and after failing too long without success', () => {
    const gone = applyResults(HEALTHY, [attempt(false, 1, { disableEndpoint: 'gone' })], policy, 2);
    expect(gone.disable).toBe('gone');
    const p = { ...policy, autoDisableAfterMs: 1000 };
    expect(applyResults(HEALTHY, [attempt(false, 0)], p, 999).disable).toBeNull();
    expect(applyResults(HEALTHY, [attempt(false, 0)], p, 1000).disable).toMatch(/auto-disabled after 1s/);
    // A success in the batch ends the run.
    expect(applyResults(HEALTHY, [attempt(false, 0), attempt(true, 5)], p, 5000).disable).toBeNull();
  });
});

describe('planHealth', () => {
  it('reports exhausted deliveries that moved, a failing run once, and a disable only when not disabled yet', () => {
    const exhausted = { ...attempt(false, 1), outcome: { kind: 'fail' } as const };
    const stale = { ...attempt(false, 2), outcome: { kind: 'fail' } as const };
    const plan = planHealth(
      [
        { result: exhausted, attemptId: 'a1', moved: true },
        { result: stale, attemptId: 'a2', moved: false },
      ],
      new Map([['ep_1', { ...HEALTHY, disabled: false }]]),
      { ...DEFAULT_POLICY, autoDisableAfterMs: 1 },
      100,
    );
    expect(plan.events.exhausted.map((e) => e.attemptId)).toEqual(['a1']);
    expect(plan.events.failing.map((e) => e.attemptId)).toEqual(['a1']);
    expect(plan.events.disabled).toEqual([{ endpointId: 'ep_1', failSince: 1 }]);
    const again = planHealth(
      [{ result: attempt(false, 3), attemptId: 'a3', moved: true }],
      new Map([['ep_1', { ...HEALTHY, disabled: true }]]),
      { ...DEFAULT_POLICY, autoDisableAfterMs: 1 },
      100,
    );
    expect(again.events.disabled).toEqual([]);
    const ok = planHealth(
      [{ result: attempt(true, 4), attemptId: 'a4', moved: true }],
      new Map(),
      DEFAULT_POLICY,
      5,
    );
    expect(ok.succeeded).toEqual(['ep_1']);
  });
});
