import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../config.js';
import { decideOutcome, disableReason, parseRetryAfter } from './outcome.js';
import type { SendResult } from './sender.js';

const now = new Date('2026-01-01T00:00:00Z');
const schedule = [1000, 60_000];
const result = (statusCode: number, errorClass: SendResult['errorClass'] = null): SendResult => ({
  statusCode,
  body: '',
  durationMs: 3,
  errorClass,
  retryAfter: null,
});
const half = () => 0.5; // no jitter
const { maxRetryAfterMs } = DEFAULTS;

describe('decideOutcome', () => {
  it('treats 2xx, and only 2xx, as success', () => {
    for (const code of [200, 201, 204, 299]) {
      expect(
        decideOutcome(result(code), {
          attemptsMade: 1,
          trigger: 'scheduled',
          schedule,
          now,
          maxRetryAfterMs,
        }),
      ).toEqual({
        kind: 'success',
      });
    }
    for (const [code, cls] of [
      [100, 'http'],
      [301, 'redirect'],
      [404, 'http'],
      [500, 'http'],
      [0, 'timeout'],
    ] as const) {
      const o = decideOutcome(result(code, cls), {
        attemptsMade: 1,
        trigger: 'scheduled',
        schedule,
        now,
        maxRetryAfterMs,
      });
      expect(o.kind).toBe('retry');
    }
  });

  it('retries along the schedule, then fails for good', () => {
    const ctx = { trigger: 'scheduled' as const, schedule, now, maxRetryAfterMs, random: half };
    expect(decideOutcome(result(500, 'http'), { ...ctx, attemptsMade: 1 })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 1000),
    });
    expect(decideOutcome(result(0, 'connect'), { ...ctx, attemptsMade: 2 })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 60_000),
    });
    expect(decideOutcome(result(500, 'http'), { ...ctx, attemptsMade: 3 })).toEqual({ kind: 'fail' });
  });

  it('applies +-20% jitter', () => {
    const lo = decideOutcome(result(500, 'http'), {
      attemptsMade: 1,
      trigger: 'scheduled',
      schedule,
      now,
      maxRetryAfterMs,
      random: () => 0,
    });
    const hi = decideOutcome(result(500, 'http'), {
      attemptsMade: 1,
      trigger: 'scheduled',
      schedule,
      now,
      maxRetryAfterMs,
      random: () => 1,
    });
    expect(lo).toEqual({ kind: 'retry', at: new Date(now.getTime() + 800) });
    expect(hi).toEqual({ kind: 'retry', at: new Date(now.getTime() + 1200) });
  });

  it('never retries with an empty schedule', () => {
    expect(
      decideOutcome(result(500, 'http'), {
        attemptsMade: 1,
        trigger: 'scheduled',
        schedule: [],
        now,
        maxRetryAfterMs,
      }),
    ).toEqual({ kind: 'fail' });
  });

  it('makes a manual attempt one-shot', () => {
    const ctx = { attemptsMade: 1, trigger: 'manual' as const, schedule, now, maxRetryAfterMs };
    expect(decideOutcome(result(500, 'http'), ctx)).toEqual({ kind: 'fail' });
    expect(decideOutcome(result(200), ctx)).toEqual({ kind: 'success' });
  });
});

describe('Retry-After and 410', () => {
  const ctx = {
    attemptsMade: 1,
    trigger: 'scheduled' as const,
    schedule,
    now,
    maxRetryAfterMs,
    random: half,
  };
  const withRetryAfter = (statusCode: number, retryAfter: string): SendResult => ({
    ...result(statusCode, 'http'),
    retryAfter,
  });

  it('reads delta-seconds and HTTP dates; ignores what it cannot read', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0); // in the past: now
    // RFC 850 and asctime (no zone: GMT, whatever the local zone is).
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu Jan  1 00:10:00 2026', now)).toBe(600_000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('2026', now)).toBe(2_026_000);
  });

  it('429 and 503 retry at the time asked, clamped to the maximum; other statuses ignore the header', () => {
    expect(decideOutcome(withRetryAfter(429, '7'), ctx)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 7000),
    });
    expect(decideOutcome(withRetryAfter(503, 'Thu, 01 Jan 2026 00:00:42 GMT'), ctx)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 42_000),
    });
    expect(decideOutcome(withRetryAfter(429, '999999'), { ...ctx, maxRetryAfterMs: 60_000 })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 60_000),
    });
    // A 500 with Retry-After follows the schedule.
    expect(decideOutcome(withRetryAfter(500, '7'), ctx)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 1000),
    });
    // Retry-After does not extend the schedule: the last attempt still fails for good.
    expect(decideOutcome(withRetryAfter(429, '7'), { ...ctx, attemptsMade: 3 })).toEqual({ kind: 'fail' });
  });

  it('410 disables the endpoint; nothing else does', () => {
    expect(disableReason(result(410, 'http'))).toBe('the endpoint answered 410 Gone');
    for (const code of [200, 404, 429, 500, 0]) expect(disableReason(result(code))).toBeUndefined();
  });
});
