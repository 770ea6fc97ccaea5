import { describe, expect, it } from 'vitest';
import { createTaskRegistry } from './tasks.js';

describe('background task registry', () => {
  it('follows a task from running to its end, and forgets ended tasks after a day', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tasks = createTaskRegistry(() => now);
    const done = tasks.start('endpoint.recover');
    const running = tasks.start('endpoint.recover');
    expect(tasks.get(done.id)).toMatchObject({ status: 'running', data: {} });
    tasks.settle(done.id, 'finished', { recovered: 2 });
    expect(tasks.get(done.id)).toMatchObject({ status: 'finished', data: { recovered: 2 } });

    now = new Date('2026-01-02T00:00:01Z');
    tasks.start('endpoint.recover'); // starting prunes
    expect(tasks.get(done.id)).toBeUndefined();
    // A task still running is never dropped for its age.
    expect(tasks.get(running.id)).toMatchObject({ status: 'running' });
  });

  it('keeps at most 1000, dropping the oldest', () => {
    const tasks = createTaskRegistry();
    const first = tasks.start('endpoint.recover');
    for (let i = 0; i < 1000; i++) tasks.start('endpoint.recover');
    const last = tasks.start('endpoint.recover');
    expect(tasks.get(first.id)).toBeUndefined();
    expect(tasks.get(last.id)).toBeDefined();
  });
});
