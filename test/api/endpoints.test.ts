import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, eventually, settleDue, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('endpoints through the svix client', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'endpoints', uid: 'ep-app' })).id;
  });
  afterAll(() => api.close());

  it('creates with a generated whsec_ secret of 32 random bytes, gets by id and uid', async () => {
    const ep = await api.svix.endpoint.create('ep-app', {
      url: 'https://example.com/a',
      uid: 'ep-a',
      description: 'first',
      filterTypes: ['invoice.paid'],
      channels: ['eu'],
      metadata: { team: 'billing' },
      rateLimit: 7,
    });
    expect(ep).toMatchObject({
      url: 'https://example.com/a',
      uid: 'ep-a',
      description: 'first',
      version: 1,
      disabled: false,
      filterTypes: ['invoice.paid'],
      channels: ['eu'],
      metadata: { team: 'billing' },
      rateLimit: 7,
    });
    expect(ep.id).toMatch(/^ep_/);
    expect(await api.svix.endpoint.get(appId, 'ep-a')).toEqual(ep);
    const { key } = await api.svix.endpoint.getSecret('ep-app', ep.id);
    expect(key).toMatch(/^whsec_/);
    expect(Buffer.from(key.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('keeps a supplied secret and refuses a malformed one', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/s', secret });
    expect((await api.svix.endpoint.getSecret(appId, ep.id)).key).toBe(secret);
    const bad = await api.svix.endpoint
      .create(appId, { url: 'https://example.com/s', secret: 'whsec_!!' })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 422, body: { detail: [{ loc: ['body', 'secret'] }] } });
  });

  it('updates with PUT and PATCH; delete then 404', async () => {
    const ep = await api.svix.endpoint.create(appId, {
      url: 'https://example.com/u',
      description: 'd',
      channels: ['x'],
      headers: { 'X-Keep': '1' },
    });
    const put = await api.svix.endpoint.update(appId, ep.id, { url: 'https://example.com/u2', version: 2 });
    expect(put).toMatchObject({ url: 'https://example.com/u2', description: '', version: 2 });
    expect(put.channels ?? null).toBeNull();
    // PUT leaves the secret and the custom headers alone.
    expect((await api.svix.endpoint.getHeaders(appId, ep.id)).headers).toEqual({ 'X-Keep': '1' });
    const patched = await api.svix.endpoint.patch(appId, ep.id, { disabled: true, filterTypes: ['a.b'] });
    expect(patched).toMatchObject({
      url: 'https://example.com/u2',
      version: 2,
      disabled: true,
      filterTypes: ['a.b'],
    });
    const cleared = await api.svix.endpoint.patch(appId, ep.id, { filterTypes: null });
    expect(cleared.filterTypes ?? null).toBeNull();
    await api.svix.endpoint.delete(appId, ep.id);
    await expect(api.svix.endpoint.get(appId, ep.id)).rejects.toMatchObject({ code: 404 });
  });

  it('lists across pages with iterator', async () => {
    const other = await api.svix.application.create({ name: 'paging' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await api.svix.endpoint.create(other.id, { url: `https://example.com/${i}` })).id);
    }
    const seen: string[] = [];
    let iterator: string | undefined;
    for (;;) {
      const page = await api.svix.endpoint.list(other.id, { limit: 2, iterator });
      seen.push(...page.data.map((e) => e.id));
      if (page.done) break;
      iterator = page.iterator ?? undefined;
    }
    expect(seen).toEqual(ids);
  });

  it('rotates the secret: a new key, the old one kept with an expiry for the grace period', async () => {
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/r' });
    const before = (await api.svix.endpoint.getSecret(appId, ep.id)).key;
    const t0 = Date.now();
    await api.svix.endpoint.rotateSecret(appId, ep.id, {});
    const after = (await api.svix.endpoint.getSecret(appId, ep.id)).key;
    expect(after).toMatch(/^whsec_/);
    expect(after).not.toBe(before);
    const stored = await api.store.endpoints.get(appId, ep.id);
    expect(stored?.secrets[0]).toEqual({ key: after, expiresAt: null });
    expect(stored?.secrets[1]?.key).toBe(before);
    const expires = stored?.secrets[1]?.expiresAt?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(t0 + api.config.secretGracePeriodMs);

    const chosen = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    await api.svix.endpoint.rotateSecret(appId, ep.id, { key: chosen, gracePeriodSeconds: 60 });
    const again = await api.store.endpoints.get(appId, ep.id);
    expect(again?.secrets.map((s) => s.key)).toEqual([chosen, after, before]);
    expect(again?.secrets[1]?.expiresAt?.getTime()).toBeLessThan(Date.now() + 61_000);
  });

  it('keeps at most 10 previous secrets', async () => {
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/many' });
    for (let i = 0; i < 13; i++) await api.svix.endpoint.rotateSecret(appId, ep.id);
    const stored = await api.store.endpoints.get(appId, ep.id);
    expect(stored?.secrets).toHaveLength(11);
    expect(stored?.secrets.filter((s) => s.expiresAt === null)).toHaveLength(1);
  });

  it('gets, replaces and patches custom headers', async () => {
    const ep = await api.svix.endpoint.create(appId, {
      url: 'https://example.com/h',
      headers: { 'X-One': '1', Authorization: 'Bearer s3cret' },
    });
    expect(await api.svix.endpoint.getHeaders(appId, ep.id)).toEqual({
      headers: { 'X-One': '1' },
      sensitive: ['Authorization'],
    });
    await api.svix.endpoint.updateHeaders(appId, ep.id, { headers: { 'X-Two': '2', 'X-Three': '3' } });
    expect((await api.svix.endpoint.getHeaders(appId, ep.id)).headers).toEqual({
      'X-Two': '2',
      'X-Three': '3',
    });
    await api.svix.endpoint.patchHeaders(appId, ep.id, {
      headers: { 'x-two': 'II' },
      deleteHeaders: ['X-Three'],
    });
    expect((await api.store.endpoints.get(appId, ep.id))?.headers).toEqual({ 'x-two': 'II' });
    const bad = await api.svix.endpoint
      .updateHeaders(appId, ep.id, { headers: { 'Content-Type': 'text/plain' } })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: 422,
      body: { detail: [{ loc: ['body', 'headers', 'Content-Type'] }] },
    });
  });

  it('reports stats, and recover makes failed deliveries pending again', async () => {
    const app = await api.svix.application.create({ name: 'stats' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://example.com/stats' });
    const since = new Date(Date.now() - 1000);
    for (let i = 0; i < 3; i++) await api.svix.message.create(app.id, { eventType: 'e.t', payload: { i } });
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toEqual({
      success: 0,
      pending: 3,
      fail: 0,
      sending: 0,
      canceled: 0,
    });
    const breaker = async () =>
      (await api.http('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}/stats`)).json.breaker;
    expect(await breaker()).toEqual({
      open: false,
      nextProbeAt: null,
      consecutiveFailures: 0,
      failingSince: null,
    });
    expect(await settleDue(api.store, 'fail')).toBe(3);
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toMatchObject({ fail: 3, pending: 0 });
    // Hookline's field: three failures in a row, under the default threshold of five.
    expect(await breaker()).toMatchObject({ open: false, nextProbeAt: null, consecutiveFailures: 3 });
    expect(Date.parse((await breaker()).failingSince)).toBeGreaterThan(since.getTime());
    await api.svix.message.create(app.id, { eventType: 'e.t', payload: { i: 3 } });
    await settleDue(api.store, 'success');
    expect(await api.svix.endpoint.getStats(app.id, ep.id, { since })).toMatchObject({ fail: 3, success: 1 });
    expect(await api.svix.endpoint.getStats(app.id, ep.id, { until: since })).toMatchObject({
      fail: 0,
      success: 0,
    });

    const wakes = api.wakes();
    const out = await api.svix.endpoint.recover(app.id, ep.id, { since });
    expect(out).toMatchObject({ status: 'running', task: 'endpoint.recover' });
    expect(out.id).toMatch(/^qtask_/);
    expect(out.updatedAt).toBeInstanceOf(Date);
    // The task can be followed with the svix client until it ends.
    await eventually(async () => (await api.svix.backgroundTask.get(out.id)).status === 'finished');
    expect(await api.svix.backgroundTask.get(out.id)).toMatchObject({
      id: out.id,
      task: 'endpoint.recover',
      data: { recovered: 3 },
    });
    await expect(api.svix.backgroundTask.get('qtask_unknown')).rejects.toMatchObject({ code: 404 });
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toMatchObject({
      fail: 0,
      pending: 3,
      success: 1,
    });
    expect(api.wakes()).toBeGreaterThan(wakes);
  });

  it('accepts and returns the Hookline extensions maxInFlight, ordered and disabledReason', async () => {
    const created = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'https://example.com/x', maxInFlight: 4, ordered: true },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ maxInFlight: 4, ordered: true });
    expect(created.json).not.toHaveProperty('disabledReason');
    const id = created.json.id as string;
    // A PUT from a Svix SDK (which knows nothing of them) keeps them.
    const put = await api.svix.endpoint.update(appId, id, { url: 'https://example.com/x2' });
    expect(put.url).toBe('https://example.com/x2');
    const afterPut = await api.http('GET', `/api/v1/app/${appId}/endpoint/${id}`);
    expect(afterPut.json).toMatchObject({ maxInFlight: 4, ordered: true });
    const patched = await api.http('PATCH', `/api/v1/app/${appId}/endpoint/${id}`, {
      body: { maxInFlight: null, ordered: false },
    });
    expect(patched.json).toMatchObject({ maxInFlight: null, ordered: false });

    const stored = await api.store.endpoints.get(appId, id);
    if (!stored) throw new Error('endpoint missing');
    const { id: _i, appId: _a, createdAt: _c, updatedAt: _u, ...input } = stored;
    await api.store.endpoints.update(appId, id, {
      ...input,
      disabled: true,
      disabledReason: 'endpoint answered 410',
    });
    const disabled = await api.http('GET', `/api/v1/app/${appId}/endpoint/${id}`);
    expect(disabled.json).toMatchObject({ disabled: true, disabledReason: 'endpoint answered 410' });
    const enabled = await api.svix.endpoint.patch(appId, id, { disabled: false });
    expect(enabled.disabled).toBe(false);
    const after = await api.http('GET', `/api/v1/app/${appId}/endpoint/${id}`);
    expect(after.json).not.toHaveProperty('disabledReason');
  });
});
