import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('Idempotency-Key on POST', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'idem' })).id;
    await api.svix.endpoint.create(appId, { url: 'https://example.com/i' });
  });
  afterAll(() => api.close());

  it('replays the first response for the same key and body (svix client)', async () => {
    const body = { eventType: 'order.placed', payload: { order: 1 } };
    const first = await api.svix.message.create(appId, body, { idempotencyKey: 'key-1' });
    const second = await api.svix.message.create(appId, body, { idempotencyKey: 'key-1' });
    expect(second.id).toBe(first.id);
    const list = await api.svix.message.list(appId);
    expect(list.data.filter((m) => m.eventType === 'order.placed')).toHaveLength(1);
    const dest = await api.svix.messageAttempt.listAttemptedDestinations(appId, first.id);
    expect(dest.data).toHaveLength(1);
  });

  it('replays status and body over raw HTTP, marked as replayed', async () => {
    const headers = { 'idempotency-key': 'key-raw' };
    const body = { name: 'made once' };
    const a = await api.http('POST', '/api/v1/app', { body, headers });
    const b = await api.http('POST', '/api/v1/app', { body, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.text).toBe(a.text);
    expect(b.headers['idempotent-replayed']).toBe('true');
    // The router ignores a trailing slash, and so does the key's scope.
    const c = await api.http('POST', '/api/v1/app/', { body, headers });
    expect(c.text).toBe(a.text);
    expect(c.headers['idempotent-replayed']).toBe('true');
  });

  it('replays a rotation instead of rotating twice', async () => {
    const ep = await firstEndpoint(api, appId);
    const path = `/api/v1/app/${appId}/endpoint/${ep.id}/secret/rotate`;
    const headers = { 'idempotency-key': 'rotate-1' };
    const first = await api.http('POST', path, { body: {}, headers });
    const secrets = (await api.store.endpoints.get(appId, ep.id))?.secrets;
    const again = await api.http('POST', path, { body: {}, headers });
    expect([first.status, again.status]).toEqual([204, 204]);
    expect((await api.store.endpoints.get(appId, ep.id))?.secrets).toEqual(secrets);
  });

  it('422 when the same key comes with a different body', async () => {
    await api.svix.message.create(appId, { eventType: 'x', payload: { v: 1 } }, { idempotencyKey: 'key-2' });
    const err = await api.svix.message
      .create(appId, { eventType: 'x', payload: { v: 2 } }, { idempotencyKey: 'key-2' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 422,
      body: { detail: [{ loc: ['header', 'idempotency-key'], type: 'idempotency_mismatch' }] },
    });
  });

  it('scopes keys by route: the same key on another route runs normally', async () => {
    const app = await api.svix.application.create({ name: 'scoped' }, { idempotencyKey: 'shared' });
    const msg = await api.svix.message.create(
      app.id,
      { eventType: 'e', payload: {} },
      { idempotencyKey: 'shared' },
    );
    expect(msg.id).toMatch(/^msg_/);
    const other = await api.svix.application.create({ name: 'scoped' }, { idempotencyKey: 'shared' });
    expect(other.id).toBe(app.id);
  });

  it('409 while the first request with the key is still running', async () => {
    await api.store.idempotency.begin('POST /api/v1/app busy-key', 'x', new Date(Date.now() + 60_000));
    const res = await api.http('POST', '/api/v1/app', {
      body: { name: 'n' },
      headers: { 'idempotency-key': 'busy-key' },
    });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('idempotency_in_progress');
  });

  it('does not keep failed requests: a retry after fixing the cause runs', async () => {
    const bad = await api.http('POST', '/api/v1/app', {
      body: { name: 5 },
      headers: { 'idempotency-key': 'k3' },
    });
    expect(bad.status).toBe(422);
    const conflict = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'e', payload: {}, eventId: 'evt-x' },
    });
    expect(conflict.status).toBe(202);
    const dup = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'e', payload: {}, eventId: 'evt-x' },
      headers: { 'idempotency-key': 'k4' },
    });
    expect(dup.status).toBe(409);
    const retried = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'e', payload: {}, eventId: 'evt-y' },
      headers: { 'idempotency-key': 'k4' },
    });
    expect(retried.status).toBe(202);
  });
});

async function firstEndpoint(api: ApiHarness, appId: string) {
  const page = await api.svix.endpoint.list(appId, { limit: 1 });
  const ep = page.data[0];
  if (!ep) throw new Error('no endpoint');
  return ep;
}
