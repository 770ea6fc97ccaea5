import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPERATIONAL_APP_ID } from '../../src/core/operational.js';
import { forEachBackend } from '../helpers/backends.js';
import { newKeyPair } from '../helpers/ed25519.js';
import { POLICY } from '../helpers/fixtures.js';
import { type ApiHarness, settleDue, startApi } from './harness.js';

forEachBackend('operational webhooks, skip and endpoint protection fields through the API', (backend) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(backend);
  });
  afterAll(() => api.close());

  const opEvents = async () =>
    (await api.store.messages.list(OPERATIONAL_APP_ID, {}, { limit: 100 })).items
      .reverse()
      .map((m) => JSON.parse(m.payload) as { type: string; data: Record<string, unknown> });

  it('registers, lists, updates, rotates and deletes operational endpoints with the svix client', async () => {
    const ops = api.svix.operationalWebhookEndpoint;
    const ep = await ops.create({
      url: 'https://ops.example.com/hook',
      uid: 'pager',
      description: 'on-call',
      filterTypes: ['endpoint.disabled', 'message.attempt.exhausted'],
      metadata: { team: 'sre' },
    });
    expect(ep).toMatchObject({
      uid: 'pager',
      url: 'https://ops.example.com/hook',
      disabled: false,
      filterTypes: ['endpoint.disabled', 'message.attempt.exhausted'],
      metadata: { team: 'sre' },
    });
    expect((await ops.list()).data.map((e) => e.id)).toEqual([ep.id]);
    expect(await ops.get(ep.id)).toEqual(ep);
    const updated = await ops.update(ep.id, { url: 'https://ops.example.com/v2', filterTypes: null });
    // PUT replaces: what is not sent goes back to its default, as for endpoints.
    expect(updated).toMatchObject({ url: 'https://ops.example.com/v2', filterTypes: null, uid: null });
    const { key } = await ops.getSecret(ep.id);
    expect(key).toMatch(/^whsec_/);
    await ops.rotateSecret(ep.id, {});
    expect((await ops.getSecret(ep.id)).key).not.toBe(key);
    await ops.updateHeaders(ep.id, { headers: { 'x-team': 'sre' } });
    expect((await ops.getHeaders(ep.id)).headers).toEqual({ 'x-team': 'sre' });
    await ops.delete(ep.id);
    expect((await ops.list()).data).toEqual([]);
    await expect(ops.get(ep.id)).rejects.toMatchObject({ code: 404 });
  });

  it('refuses unknown operational event types', async () => {
    const res = await api.http('POST', '/api/v1/operational-webhook/endpoint', {
      body: { url: 'https://ops.example.com/', filterTypes: ['payment.succeeded'] },
    });
    expect(res.status).toBe(422);
    expect(res.json.detail[0].loc).toEqual(['body', 'filterTypes', 0]);
  });

  it('refuses ed25519 keys: operational receivers verify v1 (HMAC) signatures only', async () => {
    const base = '/api/v1/operational-webhook/endpoint';
    const { whsk } = newKeyPair();
    const generated = await api.http('POST', base, {
      body: { url: 'https://ops.example.com/', secretKind: 'ed25519' },
    });
    expect(generated.status).toBe(422);
    expect(generated.json.detail[0].loc).toEqual(['body', 'secretKind']);
    const supplied = await api.http('POST', base, {
      body: { url: 'https://ops.example.com/', secret: whsk },
    });
    expect(supplied.status).toBe(422);
    expect(supplied.json.detail[0].loc).toEqual(['body', 'secret']);
    const ep = await api.http('POST', base, { body: { url: 'https://ops.example.com/' } });
    expect(ep.status).toBe(201);
    const rotated = await api.http('POST', `${base}/${ep.json.id}/secret/rotate`, { body: { key: whsk } });
    expect(rotated.status).toBe(422);
    expect(rotated.json.detail[0].loc).toEqual(['body', 'key']);
    expect((await api.http('GET', `${base}/${ep.json.id}/secret`)).json.key).toMatch(/^whsec_/);
  });

  it('keeps the hidden application out of application routes', async () => {
    await api.svix.operationalWebhookEndpoint.create({ url: 'https://ops.example.com/' });
    expect((await api.svix.application.list()).data.map((a) => a.id)).not.toContain(OPERATIONAL_APP_ID);
    expect((await api.http('GET', `/api/v1/app/${OPERATIONAL_APP_ID}`)).status).toBe(404);
    const post = await api.http('POST', `/api/v1/app/${OPERATIONAL_APP_ID}/msg`, {
      body: { eventType: 'endpoint.disabled', payload: {} },
    });
    expect(post.status).toBe(404);
  });

  it('PATCH disabled emits endpoint.disabled (manual) and endpoint.enabled; the disabled reason is shown', async () => {
    await api.svix.operationalWebhookEndpoint.create({ url: 'https://ops.example.com/all' });
    const app = await api.svix.application.create({ name: 'toggle' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://shop.example.com/hook' });
    await api.svix.message.create(app.id, { eventType: 'a', payload: {} });
    // A 410 disables it, with its reason in EndpointOut.
    const claims = await api.store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
    const c = claims.find((x) => x.endpoint.id === ep.id)!;
    await api.store.queue.recordAttempts(
      [
        {
          deliveryId: c.deliveryId,
          leaseToken: c.leaseToken,
          outcome: { kind: 'fail' },
          disableEndpoint: 'the endpoint answered 410 Gone',
          attempt: {
            appId: app.id,
            msgId: c.message.id,
            endpointId: ep.id,
            url: c.endpoint.url,
            status: 'fail',
            responseStatusCode: 410,
            response: '',
            responseDurationMs: 1,
            errorClass: 'http',
            trigger: 'scheduled',
            createdAt: new Date(),
          },
        },
      ],
      POLICY,
    );
    const gone = await api.http('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}`);
    expect(gone.json).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone' });
    const wakes = api.wakes();
    expect(
      (await api.http('PATCH', `/api/v1/app/${app.id}/endpoint/${ep.id}`, { body: { disabled: false } }))
        .status,
    ).toBe(200);
    expect(api.wakes()).toBe(wakes + 1);
    await api.http('PATCH', `/api/v1/app/${app.id}/endpoint/${ep.id}`, { body: { disabled: true } });
    const types = (await opEvents())
      .filter((e) => e.data.endpointId === ep.id)
      .map((e) => [e.type, e.data.trigger]);
    expect(types).toEqual([
      ['message.attempt.failing', undefined],
      ['message.attempt.exhausted', undefined],
      ['endpoint.disabled', 'automatic'],
      ['endpoint.enabled', undefined],
      ['endpoint.disabled', 'manual'],
    ]);
  });

  it('skips a pending delivery (canceled) and refuses one that is not pending', async () => {
    const app = await api.svix.application.create({ name: 'ordered' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://shop.example.com/o' });
    await api.http('PATCH', `/api/v1/app/${app.id}/endpoint/${ep.id}`, {
      body: { ordered: true, maxInFlight: 3 },
    });
    const msg = await api.svix.message.create(app.id, { eventType: 'a', payload: { n: 1 } });
    const path = `/api/v1/app/${app.id}/msg/${msg.id}/endpoint/${ep.id}/skip`;
    const skipped = await api.http('POST', path);
    expect(skipped.status).toBe(200);
    expect(skipped.json).toMatchObject({ id: ep.id, status: 4, statusText: 'canceled' });
    expect((await api.http('POST', path)).status).toBe(409);
    expect((await api.http('POST', `/api/v1/app/${app.id}/msg/msg_nope/endpoint/${ep.id}/skip`)).status).toBe(
      404,
    );
    const shown = await api.http('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}`);
    expect(shown.json).toMatchObject({ ordered: true, maxInFlight: 3 });
    expect(await settleDue(api.store, 'success')).toBeGreaterThanOrEqual(0);
  });
});
