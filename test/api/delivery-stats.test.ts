import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, settleDue, startApi } from './harness.js';

const MINUTE = 60_000;

/**
 * GET /api/v1/stats/deliveries: attempts by outcome per minute or hour, every
 * bucket listed, scoped to an app or endpoint, operator token only.
 */
forEachBackend('delivery stats route', (backend) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi(backend);
  });
  afterEach(async () => {
    await api.close();
  });

  it('counts the last hour by the minute, every bucket listed, scoped by app and endpoint', async () => {
    const shop = await api.svix.application.create({ name: 'Shop', uid: 'shop' });
    const other = await api.svix.application.create({ name: 'Other' });
    const good = await api.svix.endpoint.create(shop.id, { url: 'https://example.com/good', uid: 'good' });
    await api.svix.endpoint.create(other.id, { url: 'https://example.com/other' });
    for (let i = 0; i < 3; i++) await api.svix.message.create(shop.id, { eventType: 'a', payload: {} });
    expect(await settleDue(api.store, 'success')).toBe(3);
    await api.svix.message.create(other.id, { eventType: 'a', payload: {} });
    await api.svix.message.create(other.id, { eventType: 'a', payload: {} });
    expect(await settleDue(api.store, 'fail')).toBe(2);

    const until = new Date(Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE);
    const all = await api.http('GET', `/api/v1/stats/deliveries?until=${until.toISOString()}`);
    expect(all.status).toBe(200);
    expect(all.json.bucket).toBe('minute');
    expect(all.json.data).toHaveLength(60);
    expect(all.json.since).toBe(new Date(until.getTime() - 60 * MINUTE).toISOString());
    const sum = (d: { success: number; fail: number }[]) =>
      d.reduce((t, b) => ({ success: t.success + b.success, fail: t.fail + b.fail }), {
        success: 0,
        fail: 0,
      });
    expect(sum(all.json.data)).toEqual({ success: 3, fail: 2 });

    const shopOnly = await api.http('GET', '/api/v1/stats/deliveries?app_id=shop');
    expect(sum(shopOnly.json.data)).toEqual({ success: 3, fail: 0 });
    const byHour = await api.http(
      'GET',
      `/api/v1/stats/deliveries?bucket=hour&app_id=${shop.id}&endpoint_id=good`,
    );
    expect(byHour.status).toBe(200);
    expect(byHour.json.data.length).toBeGreaterThanOrEqual(24);
    expect(byHour.json.data.length).toBeLessThanOrEqual(25);
    expect(sum(byHour.json.data)).toEqual({ success: 3, fail: 0 });
    expect(good.uid).toBe('good');
  });

  it('refuses bad windows, an endpoint without its app, unknown ids, and app-portal tokens', async () => {
    const shop = await api.svix.application.create({ name: 'Shop', uid: 'shop' });
    const bad = async (query: string, status: number) => {
      const res = await api.http('GET', `/api/v1/stats/deliveries?${query}`);
      expect(res.status, query).toBe(status);
      return res.json;
    };
    expect((await bad('since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 422)).detail[0].loc).toEqual([
      'query',
      'until',
    ]);
    expect((await bad('since=2026-01-01T00:00:00Z&until=2026-01-03T00:00:00Z', 422)).detail[0].loc).toEqual([
      'query',
      'since',
    ]);
    await bad('bucket=second', 422);
    expect((await bad('endpoint_id=ep_x', 422)).detail[0].loc).toEqual(['query', 'endpoint_id']);
    await bad('app_id=nope', 404);
    await bad('app_id=shop&endpoint_id=nope', 404);
    // Two days by the hour is fine (48 buckets).
    expect(
      (await bad('bucket=hour&since=2026-01-01T00:00:00Z&until=2026-01-03T00:00:00Z', 200)).data,
    ).toHaveLength(48);

    const { token } = await api.svix.authentication.appPortalAccess(shop.id, {});
    const portal = await api.http('GET', `/api/v1/stats/deliveries?app_id=${shop.id}`, { token });
    expect(portal.status).toBe(403);
    expect(portal.json.code).toBe('forbidden');
  });
});
