import { describe, expect, it } from 'vitest';
import { noHealthNews } from '../core/policy.js';
import type { AttemptResult } from '../store/store.js';
import { createRecorder } from './recorder.js';
import { until } from '../../test/helpers/until.js';

function result(i: number): AttemptResult {
  return {
    deliveryId: `dlv_${i}`,
    leaseToken: 'lease',
    outcome: { kind: 'success' },
    attempt: {
      appId: 'app',
      msgId: `msg_${i}`,
      endpointId: 'ep',
      url: 'http://127.0.0.1/',
      status: 'success',
      responseStatusCode: 200,
      response: 'ok',
      responseDurationMs: 1,
      errorClass: null,
      trigger: 'scheduled',
      createdAt: new Date(),
    },
  };
}

describe('recorder', () => {
  it('stores results added together in one call', async () => {
    const calls: string[][] = [];
    const recorded: string[] = [];
    const rec = createRecorder({
      record: async (rs) => {
        calls.push(rs.map((r) => r.deliveryId));
        return noHealthNews();
      },
      maxBatch: 100,
      delayMs: 5,
      onRecorded: (rs) => recorded.push(...rs.map((r) => r.deliveryId)),
      onError: () => {},
    });
    for (let i = 0; i < 10; i++) rec.add(result(i));
    await until(() => recorded.length === 10);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(10);
  });

  it('writes at once when a batch fills, and queues what arrives during a write', async () => {
    const calls: number[] = [];
    let release: () => void = () => {};
    const rec = createRecorder({
      record: async (rs) => {
        calls.push(rs.length);
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return noHealthNews();
      },
      maxBatch: 3,
      delayMs: 60_000, // only a full batch or a finished write triggers a write here
      onRecorded: () => {},
      onError: () => {},
    });
    for (let i = 0; i < 3; i++) rec.add(result(i));
    expect(calls).toEqual([3]);
    rec.add(result(3));
    rec.add(result(4));
    expect(rec.pending()).toHaveLength(5);
    release();
    await until(() => calls.length === 2);
    expect(calls).toEqual([3, 2]);
  });

  it('keeps results when a write fails and stores them on retry, in order', async () => {
    let failures = 2;
    const stored: string[] = [];
    const errors: number[] = [];
    const rec = createRecorder({
      record: async (rs) => {
        if (failures-- > 0) throw new Error('database is locked');
        stored.push(...rs.map((r) => r.deliveryId));
        return noHealthNews();
      },
      maxBatch: 10,
      delayMs: 1,
      onRecorded: () => {},
      onError: (_e, retryIn) => errors.push(retryIn),
    });
    rec.add(result(0));
    rec.add(result(1));
    await until(() => errors.length === 1);
    expect(rec.failing).toBe(true);
    rec.add(result(2));
    await until(() => stored.length === 3);
    expect(stored).toEqual(['dlv_0', 'dlv_1', 'dlv_2']);
    expect(errors).toHaveLength(2);
    expect(rec.failing).toBe(false);
  });

  it('drain stores everything now, and gives up at the deadline when the store stays down', async () => {
    const stored: string[] = [];
    const ok = createRecorder({
      record: async (rs) => {
        stored.push(...rs.map((r) => r.deliveryId));
        return noHealthNews();
      },
      maxBatch: 2,
      delayMs: 60_000,
      onRecorded: () => {},
      onError: () => {},
    });
    for (let i = 0; i < 5; i++) ok.add(result(i));
    expect(await ok.drain(Date.now() + 5000)).toBe(true);
    expect(stored).toHaveLength(5);

    const down = createRecorder({
      record: async () => {
        throw new Error('down');
      },
      maxBatch: 2,
      delayMs: 1,
      onRecorded: () => {},
      onError: () => {},
    });
    down.add(result(9));
    expect(await down.drain(Date.now() + 200)).toBe(false);
    expect(down.pending()).toHaveLength(1);
  });
});
