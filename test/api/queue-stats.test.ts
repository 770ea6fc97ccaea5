import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, settleDue, startApi } from './harness.js';

/**
 * GET /api/v1/stats/queue: the backlog by state, the oldest due delivery and
 * the endpoints whose deliveries ran out of retries recently, as the
 * dashboard's overview reads them. Operator token only.
 */
forEachBackend('queue stats route', (backend) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi(backend);
  });
  afterEach(async () => {
    await api.close();
  });

  it('reads an empty queue as nothing due and no endpoint exhausted', async () => {
    const res = await api.http('GET', '/api/v1/stats/queue');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      depth: { due: 0, scheduled: 0, inFlight: 0, parked: 0, failed: 0 },
      oldestDueAt: null,
      endpointsBreakerOpen: 0,
      endpointsDisabled: 0,
      exhausted: { data: [] },
    });
    expect(Date.parse(res.json.at) - Date.parse(res.json.exhausted.since)).toBe(86_400_000);
  });

  it('counts the backlog, dates the oldest due delivery and names the endpoints that ran out of retries, latest first', async () => {
    const shop = await api.svix.application.create({ name: 'Shop', uid: 'shop' });
    const early = await api.svix.endpoint.create(shop.id, {
      url: 'https://example.com/early',
      filterTypes: ['a'],
    });
    const late = await api.svix.endpoint.create(shop.id, {
      url: 'https://example.com/late',
      filterTypes: ['b'],
    });
    await api.svix.message.create(shop.id, { eventType: 'a', payload: {} });
    await api.svix.message.create(shop.id, { eventType: 'a', payload: {} });
    expect(await settleDue(api.store, 'fail')).toBe(2);
    // Failure times are kept to the millisecond: a later one must fall on a later millisecond.
    await new Promise((r) => setTimeout(r, 5));
    await api.svix.message.create(shop.id, { eventType: 'b', payload: {} });
    expect(await settleDue(api.store, 'fail')).toBe(1);
    // One retry waiting, then one delivery due now and left unclaimed.
    await api.svix.message.create(shop.id, { eventType: 'b', payload: {} });
    expect(await settleDue(api.store, 'retry')).toBe(1);
    const before = Date.now();
    await api.svix.message.create(shop.id, { eventType: 'a', payload: {} });

    const res = await api.http('GET', '/api/v1/stats/queue');
    expect(res.status).toBe(200);
    expect(res.json.depth).toEqual({ due: 1, scheduled: 1, inFlight: 0, parked: 0, failed: 3 });
    const oldest = Date.parse(res.json.oldestDueAt);
    expect(oldest).toBeGreaterThanOrEqual(before - 1000);
    expect(oldest).toBeLessThanOrEqual(Date.parse(res.json.at));
    expect(res.json.exhausted.data).toEqual([
      { appId: shop.id, endpointId: late.id, deliveries: 1, lastAt: expect.any(String) },
      { appId: shop.id, endpointId: early.id, deliveries: 2, lastAt: expect.any(String) },
    ]);
    const [a, b] = res.json.exhausted.data;
    expect(Date.parse(a.lastAt)).toBeGreaterThanOrEqual(Date.parse(b.lastAt));

    // A window that starts after they failed names none; limit bounds the list.
    const later = new Date(Date.now() + 1000).toISOString();
    expect(
      (await api.http('GET', `/api/v1/stats/queue?exhausted_since=${later}`)).json.exhausted.data,
    ).toEqual([]);
    expect((await api.http('GET', '/api/v1/stats/queue?limit=1')).json.exhausted.data).toHaveLength(1);

    // A disabled endpoint counts, and so do its deliveries as held.
    await api.svix.endpoint.patch(shop.id, early.id, { disabled: true });
    const after = await api.http('GET', '/api/v1/stats/queue');
    expect(after.json.endpointsDisabled).toBe(1);
    expect(after.json.depth.parked).toBe(1);
  });

  it('refuses a bad limit and app-portal tokens', async () => {
    expect((await api.http('GET', '/api/v1/stats/queue?limit=0')).status).toBe(422);
    expect((await api.http('GET', '/api/v1/stats/queue?exhausted_since=yesterday')).status).toBe(422);
    await api.svix.application.create({ name: 'Shop', uid: 'shop' });
    const { token } = await api.svix.authentication.appPortalAccess('shop', {});
    const res = await api.http('GET', '/api/v1/stats/queue', { token });
    expect(res.status).toBe(403);
  });
});
