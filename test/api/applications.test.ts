import type { ApplicationOut } from 'svix';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('applications through the svix client', (backend) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(backend);
  });
  afterAll(() => api.close());

  it('creates, gets by id and by uid, with the ApplicationOut shape', async () => {
    const created = await api.svix.application.create({
      name: 'Shop',
      uid: 'shop-1',
      rateLimit: 10,
      metadata: { tier: 'gold' },
    });
    expect(created).toMatchObject({ name: 'Shop', uid: 'shop-1', rateLimit: 10, metadata: { tier: 'gold' } });
    expect(created.id).toMatch(/^app_/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(Number.isNaN(created.createdAt.getTime())).toBe(false);
    expect(await api.svix.application.get(created.id)).toEqual(created);
    expect(await api.svix.application.get('shop-1')).toEqual(created);
    const raw = await api.http('GET', '/api/v1/app/shop-1');
    expect(raw.json.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('get_if_exists returns the existing app (200) instead of a conflict', async () => {
    const first = await api.svix.application.getOrCreate({ name: 'Once', uid: 'once' });
    const again = await api.svix.application.getOrCreate({ name: 'Other name', uid: 'once' });
    expect(again.id).toBe(first.id);
    expect(again.name).toBe('Once');
    const raw = await api.http('POST', '/api/v1/app?get_if_exists=true', {
      body: { name: 'x', uid: 'once' },
    });
    expect(raw.status).toBe(200);
    const dup = await api.svix.application.create({ name: 'dup', uid: 'once' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 409, body: { code: 'conflict' } });
  });

  it('updates with PUT (full replace) and PATCH (only given fields)', async () => {
    const app = await api.svix.application.create({ name: 'Before', uid: 'upd', metadata: { a: '1' } });
    const put = await api.svix.application.update(app.id, { name: 'After', metadata: { b: '2' } });
    expect(put).toMatchObject({ id: app.id, name: 'After', metadata: { b: '2' } });
    expect(put.uid ?? null).toBeNull();
    const patched = await api.svix.application.patch(app.id, { uid: 'upd2', throttleRate: 5 });
    expect(patched).toMatchObject({
      name: 'After',
      uid: 'upd2',
      rateLimit: 5,
      throttleRate: 5,
      metadata: { b: '2' },
    });
    const cleared = await api.svix.application.patch('upd2', { rateLimit: null });
    expect(cleared.rateLimit ?? null).toBeNull();
    expect(cleared.updatedAt.getTime()).toBeGreaterThanOrEqual(app.updatedAt.getTime());
  });

  it('deletes (then 404)', async () => {
    const app = await api.svix.application.create({ name: 'Gone', uid: 'gone' });
    await api.svix.application.delete('gone');
    const err = await api.svix.application.get(app.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 404 });
  });

  it('lists across pages with iterator, and back with prevIterator', async () => {
    const fresh = await startApi(backend);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await fresh.svix.application.create({ name: `app ${i}` })).id);
      const seen: ApplicationOut[] = [];
      let iterator: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await fresh.svix.application.list({ limit: 2, iterator });
        seen.push(...page.data);
        pages++;
        if (page.done) break;
        iterator = page.iterator ?? undefined;
      }
      expect(pages).toBe(3);
      expect(seen.map((a) => a.id)).toEqual(ids);
      const second = await fresh.svix.application.list({ limit: 2, iterator: ids[1] });
      expect(second.data.map((a) => a.id)).toEqual([ids[2], ids[3]]);
      const back = await fresh.svix.application.list({
        limit: 2,
        iterator: second.prevIterator ?? undefined,
      });
      expect(back.data.map((a) => a.id)).toEqual([ids[0], ids[1]]);
      expect(back.done).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
