import { describe, expect, it } from 'vitest';
import { combineEvents, createEmitter } from './events.js';
import { createWorkerHealth } from './health.js';

const boom = (text: string) => Object.assign(new Error(text), { code: 'SQLITE_IOERR_WRITE' });

describe('worker health', () => {
  it('is failing after the threshold of consecutive claim failures, and well again after one success', () => {
    const health = createWorkerHealth(3);
    const emit = createEmitter(health.events);
    for (let i = 0; i < 2; i++) emit('error', { op: 'claim', error: boom('disk I/O error'), retryInMs: 100 });
    expect(health.problem()).toBeNull();
    emit('error', { op: 'claim', error: boom('disk I/O error'), retryInMs: 100 });
    expect(health.problem()).toBe(
      "the delivery worker's last 3 claims failed: SQLITE_IOERR_WRITE: disk I/O error",
    );
    emit('claimed', 0);
    expect(health.problem()).toBeNull();
  });

  it('counts failures to store attempts the same way, and ignores other operations', () => {
    const health = createWorkerHealth(2);
    const emit = createEmitter(health.events);
    for (let i = 0; i < 5; i++) emit('error', { op: 'renew', error: boom('x'), retryInMs: 100 });
    emit('error', { op: 'claim', error: boom('x'), retryInMs: 100 });
    emit('claimed', 4);
    expect(health.problem()).toBeNull();
    emit('error', { op: 'record', error: boom('full'), retryInMs: 100 });
    emit('error', { op: 'record', error: boom('full'), retryInMs: 100 });
    expect(health.problem()).toContain('failed to store attempts 2 times in a row');
    emit('recorded', []);
    expect(health.problem()).toBeNull();
  });

  it('combines listeners: each party hears every event, even after one throws', () => {
    const heard: string[] = [];
    const events = combineEvents(
      {
        error: () => {
          heard.push('first');
          throw new Error('broken listener');
        },
      },
      { error: () => void heard.push('second'), claimed: (n) => void heard.push(`claimed ${n}`) },
    );
    const emit = createEmitter(events);
    emit('error', { op: 'claim', error: boom('x'), retryInMs: null });
    emit('claimed', 2);
    expect(heard).toEqual(['first', 'second', 'claimed 2']);
  });
});
