import { describe, expect, it } from 'vitest';
import type { AttemptEvent } from '../delivery/events.js';
import type { StoreGauges } from '../store/store.js';
import { sample } from '../../test/observe/scrape.js';
import { createMetrics } from './metrics.js';

const GAUGES: StoreGauges = {
  depth: { due: 3, scheduled: 4, inFlight: 5, parked: 6, failed: 7 },
  oldestDueAt: new Date('2026-01-01T00:00:00Z'),
  endpointsBreakerOpen: 1,
  endpointsDisabled: 2,
  pool: null,
};

function attemptEvent(
  kind: 'success' | 'retry' | 'fail',
  errorClass: AttemptEvent['response']['errorClass'],
) {
  const accepted = new Date('2026-01-01T00:00:00Z');
  return {
    claim: {
      attempts: 0,
      trigger: 'scheduled',
      message: { createdAt: accepted },
      endpoint: { id: 'ep_1' },
    },
    result: {
      outcome: kind === 'retry' ? { kind, at: new Date() } : { kind },
      attempt: { createdAt: new Date(accepted.getTime() + 1500) },
    },
    response: { statusCode: errorClass === null ? 200 : 0, durationMs: 250, errorClass },
  } as unknown as AttemptEvent;
}

describe('createMetrics', () => {
  it('turns attempts into outcome counters, durations and first-attempt lag', async () => {
    const metrics = createMetrics({ store: { gauges: async () => GAUGES }, perEndpoint: false });
    metrics.workerEvents.attempt?.(attemptEvent('retry', 'timeout'));
    metrics.workerEvents.attempt?.(attemptEvent('fail', 'dns'));
    metrics.workerEvents.attempt?.(attemptEvent('success', null));
    const text = await metrics.render();
    const count = (outcome: string, error_class: string) =>
      sample(text, 'hookline_delivery_attempts_total', { outcome, error_class });
    expect([count('retry', 'timeout'), count('exhausted', 'dns'), count('success', 'none')]).toEqual([
      1, 1, 1,
    ]);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_sum', { result: 'failed' })).toBe(0.5);
    // 1.5 s from accept to first attempt, three times.
    expect(sample(text, 'hookline_delivery_first_attempt_lag_seconds_sum')).toBe(4.5);
    expect(sample(text, 'hookline_delivery_first_attempt_lag_seconds_bucket', { le: '1' })).toBe(0);
    expect(sample(text, 'hookline_delivery_first_attempt_lag_seconds_bucket', { le: '2.5' })).toBe(3);
  });

  it('reads the store once per scrape for every gauge', async () => {
    let reads = 0;
    const now = new Date(GAUGES.oldestDueAt!.getTime() + 90_000);
    const metrics = createMetrics({
      store: {
        gauges: async () => {
          reads++;
          return GAUGES;
        },
      },
      perEndpoint: false,
      now: () => now,
    });
    const text = await metrics.render();
    expect(reads).toBe(1);
    expect(sample(text, 'hookline_queue_deliveries', { state: 'in_flight' })).toBe(5);
    expect(sample(text, 'hookline_queue_deliveries', { state: 'failed' })).toBe(7);
    expect(sample(text, 'hookline_queue_oldest_due_age_seconds')).toBe(90);
    expect(sample(text, 'hookline_endpoints', { state: 'disabled' })).toBe(2);
    await metrics.render();
    expect(reads).toBe(2);
  });

  it('leaves the gauges out and counts the error when the store cannot answer, and still renders', async () => {
    const metrics = createMetrics({
      store: {
        gauges: async () => {
          throw new Error('database is down');
        },
      },
      perEndpoint: false,
    });
    const text = await metrics.render();
    expect(sample(text, 'hookline_store_gauges_errors_total')).toBe(1);
    expect(sample(text, 'hookline_queue_deliveries', { state: 'due' })).toBeUndefined();
  });
});
