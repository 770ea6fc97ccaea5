import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../store/store.js';
import { type AttemptSettings, buildAttemptResult, thrownSendResult } from './attempt.js';
import type { SendResult } from './sender.js';

const startedAt = new Date('2026-01-01T00:00:00Z');
const endedAt = new Date('2026-01-01T00:00:02Z');
const settings: AttemptSettings = {
  retrySchedule: [1000, 60_000],
  maxRetryAfterMs: 3_600_000,
  random: () => 0.5,
};

function claim(over: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    deliveryId: 'dlv_1',
    leaseToken: 'lease_1',
    attempts: 0,
    trigger: 'scheduled',
    message: {
      id: 'msg_1',
      appId: 'app_1',
      eventType: 'e',
      payload: '{}',
      createdAt: startedAt,
      traceparent: null,
    },
    endpoint: {
      id: 'ep_1',
      url: 'https://receiver.example/hook',
      headers: {},
      secrets: [],
      rateLimit: null,
      maxInFlight: null,
      fairCap: null,
      ordered: false,
    },
    ...over,
  };
}

const response = (statusCode: number, over: Partial<SendResult> = {}): SendResult => ({
  statusCode,
  body: 'body',
  durationMs: 12.6,
  errorClass: statusCode >= 200 && statusCode < 300 ? null : 'http',
  retryAfter: null,
  ...over,
});

describe('buildAttemptResult', () => {
  it('stores a 2xx as a success, with the claim, the response and when the attempt started', () => {
    const r = buildAttemptResult(claim(), response(204), startedAt, endedAt, settings);
    expect(r).toEqual({
      deliveryId: 'dlv_1',
      leaseToken: 'lease_1',
      outcome: { kind: 'success' },
      attempt: {
        appId: 'app_1',
        msgId: 'msg_1',
        endpointId: 'ep_1',
        url: 'https://receiver.example/hook',
        status: 'success',
        responseStatusCode: 204,
        response: 'body',
        responseDurationMs: 13,
        errorClass: null,
        trigger: 'scheduled',
        createdAt: startedAt,
      },
    });
    expect(r).not.toHaveProperty('disableEndpoint');
  });

  it('retries a failure along the schedule, counted from the end of the attempt, then fails for good', () => {
    const first = buildAttemptResult(claim(), response(500), startedAt, endedAt, settings);
    expect(first.outcome).toEqual({ kind: 'retry', at: new Date(endedAt.getTime() + 1000) });
    expect(first.attempt).toMatchObject({ status: 'fail', errorClass: 'http', responseStatusCode: 500 });
    const second = buildAttemptResult(claim({ attempts: 1 }), response(500), startedAt, endedAt, settings);
    expect(second.outcome).toEqual({ kind: 'retry', at: new Date(endedAt.getTime() + 60_000) });
    const last = buildAttemptResult(claim({ attempts: 2 }), response(500), startedAt, endedAt, settings);
    expect(last.outcome).toEqual({ kind: 'fail' });
  });

  it("moves a 429/503's retry to its Retry-After, at most maxRetryAfterMs away", () => {
    const asked = buildAttemptResult(
      claim(),
      response(503, { retryAfter: '30' }),
      startedAt,
      endedAt,
      settings,
    );
    expect(asked.outcome).toEqual({ kind: 'retry', at: new Date(endedAt.getTime() + 30_000) });
    const capped = buildAttemptResult(claim(), response(429, { retryAfter: '86400' }), startedAt, endedAt, {
      ...settings,
      maxRetryAfterMs: 60_000,
    });
    expect(capped.outcome).toEqual({ kind: 'retry', at: new Date(endedAt.getTime() + 60_000) });
  });

  it('disables the endpoint on a 410, and a manual attempt is one-shot', () => {
    const gone = buildAttemptResult(claim(), response(410), startedAt, endedAt, settings);
    expect(gone.disableEndpoint).toBe('the endpoint answered 410 Gone');
    expect(gone.attempt.status).toBe('fail');
    const manual = buildAttemptResult(
      claim({ trigger: 'manual' }),
      response(500),
      startedAt,
      endedAt,
      settings,
    );
    expect(manual.outcome).toEqual({ kind: 'fail' });
    expect(manual.attempt.trigger).toBe('manual');
  });
});

describe('thrownSendResult', () => {
  it('is a transport failure of class other whose response is the error, cut to 4 KiB of UTF-8', () => {
    expect(thrownSendResult(new Error('boom'))).toMatchObject({
      statusCode: 0,
      durationMs: 0,
      errorClass: 'other',
      retryAfter: null,
      body: expect.stringContaining('boom'),
    });
    const long = thrownSendResult(new Error('é'.repeat(5000)));
    expect(Buffer.byteLength(long.body)).toBeLessThanOrEqual(4096);
    expect(long.body).toMatch(/é+$/);
  });
});
