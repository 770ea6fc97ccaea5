import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/store.js';
import { createTaskRunner } from './tasks.js';

describe('background task runner', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-tasks-'));
    store = createSqliteStore(join(dir, 'tasks.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renews the lease of a task that outlives it, so it is never reported interrupted while it runs', async () => {
    const runner = createTaskRunner(store, pino({ level: 'silent' }), { leaseMs: 1500 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started = Date.now();
    const task = await runner.start('endpoint.replay', async () => {
      await gate;
      return { replayed: 4 };
    });
    // Past twice its first lease, read through the path that fails lapsed tasks.
    while (Date.now() < started + 3200) {
      expect((await runner.get(task.id))?.status).toBe('running');
      await new Promise((r) => setTimeout(r, 200));
    }
    release();
    await runner.close();
    expect(await runner.get(task.id)).toMatchObject({ status: 'finished', data: { replayed: 4 } });
  });

  it("records a failed task with an error code, not the cause's text", async () => {
    const runner = createTaskRunner(store, pino({ level: 'silent' }));
    const task = await runner.start('endpoint.recover', async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
    });
    await runner.close();
    expect(await runner.get(task.id)).toMatchObject({ status: 'failed', data: { error: 'internal_error' } });
  });
});
