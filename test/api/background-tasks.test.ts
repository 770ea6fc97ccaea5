import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Svix } from 'svix';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { INTERRUPTED } from '../../src/api/tasks.js';
import { DEFAULTS } from '../../src/config.js';
import { newId } from '../../src/core/ids.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { eventually, settleDue, TOKEN } from './harness.js';

interface Process {
  store: Store;
  app: FastifyInstance;
  svix: Svix;
  close(): Promise<void>;
}

/** One API process on the shared database: its own store connection(s) and HTTP server. */
async function apiProcess(url: string): Promise<Process> {
  const store = await openStore(url);
  const app = await buildApi({ store, config: { ...DEFAULTS, apiToken: TOKEN } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const svix = new Svix(TOKEN, {
    serverUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
  });
  return {
    store,
    app,
    svix,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/**
 * Background tasks live in the database (008_tasks_and_expunge): two API
 * processes on one database see each other's tasks, a restart loses none, a
 * task whose process died is reported failed, and the list filters and pages.
 */
forEachBackend('background tasks in the store', (backend) => {
  let db: TestDatabase;
  let a: Process;
  let b: Process;
  beforeEach(async () => {
    db = await backend.database('tasks');
    a = await apiProcess(db.url);
    b = await apiProcess(db.url);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('a task started on one process is followed on another, and survives a restart of both', async () => {
    const app = await a.svix.application.create({ name: 'tasks' });
    const ep = await a.svix.endpoint.create(app.id, { url: 'https://example.com/t' });
    const since = new Date(Date.now() - 1000);
    await a.svix.message.create(app.id, { eventType: 'e.t', payload: {} });
    await a.svix.message.create(app.id, { eventType: 'e.t', payload: {} });
    expect(await settleDue(a.store, 'fail')).toBe(2);

    const started = await a.svix.endpoint.recover(app.id, ep.id, { since });
    // Process b never ran it, yet answers about it.
    await eventually(async () => (await b.svix.backgroundTask.get(started.id)).status === 'finished');
    expect(await b.svix.backgroundTask.get(started.id)).toMatchObject({
      id: started.id,
      task: 'endpoint.recover',
      data: { recovered: 2 },
    });

    await a.close();
    await b.close();
    a = await apiProcess(db.url);
    b = await apiProcess(db.url);
    expect(await a.svix.backgroundTask.get(started.id)).toMatchObject({
      status: 'finished',
      data: { recovered: 2 },
    });
    const listed = await b.svix.backgroundTask.list();
    expect(listed.data.map((t) => t.id)).toEqual([started.id]);
  });

  it('a task whose process died (its lease lapsed) is reported failed, not running forever', async () => {
    const now = new Date();
    const orphan = await a.store.tasks.create({
      id: newId('qtask'),
      task: 'endpoint.replay',
      leaseUntil: new Date(now.getTime() - 1),
      now: new Date(now.getTime() - 120_000),
    });
    const live = await a.store.tasks.create({
      id: newId('qtask'),
      task: 'endpoint.replay',
      leaseUntil: new Date(now.getTime() + 60_000),
      now,
    });
    expect(await b.svix.backgroundTask.get(orphan.id)).toMatchObject({ status: 'failed', data: INTERRUPTED });
    expect(await b.svix.backgroundTask.get(live.id)).toMatchObject({ status: 'running' });
    // Ended for good: its process cannot settle it any more.
    await a.store.tasks.settle(orphan.id, 'finished', { replayed: 1 });
    expect(await a.svix.backgroundTask.get(orphan.id)).toMatchObject({ status: 'failed', data: INTERRUPTED });
  });

  it('lists newest first by default, filters by status and task, and pages with iterators', async () => {
    const app = await a.svix.application.create({ name: 'list' });
    const ep = await a.svix.endpoint.create(app.id, { url: 'https://example.com/l' });
    const since = new Date(Date.now() - 1000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await a.svix.endpoint.recover(app.id, ep.id, { since })).id);
    ids.push((await a.svix.endpoint.replayMissing(app.id, ep.id, { since })).id);
    await eventually(
      async () => (await a.svix.backgroundTask.list({ status: 'running' as never })).data.length === 0,
    );

    const all = await b.svix.backgroundTask.list();
    expect(all.data.map((t) => t.id)).toEqual([...ids].reverse());
    expect(all.data.every((t) => t.status === 'finished')).toBe(true);

    const recovers = await b.svix.backgroundTask.list({
      task: 'endpoint.recover' as never,
      order: 'ascending' as never,
    });
    expect(recovers.data.map((t) => t.id)).toEqual(ids.slice(0, 3));
    expect((await b.svix.backgroundTask.list({ status: 'failed' as never })).data).toEqual([]);

    const first = await b.svix.backgroundTask.list({ limit: 3 });
    expect(first.done).toBe(false);
    const second = await b.svix.backgroundTask.list({ limit: 3, iterator: first.iterator });
    expect([...first.data, ...second.data].map((t) => t.id)).toEqual([...ids].reverse());
    expect(second.done).toBe(true);

    await expect(b.svix.backgroundTask.list({ task: 'nope' as never })).rejects.toMatchObject({ code: 422 });
  });
});
