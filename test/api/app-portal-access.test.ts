import { ApiException, Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPortalToken } from '../../src/core/portal-token.js';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi } from './harness.js';

/** The HTTP status and body `code` a svix call failed with (or 'ok' when it did not fail). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code?: string } | 'ok'> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    return { status: err.code, code: (err.body as { code?: string }).code };
  }
}
const FORBIDDEN = { status: 403, code: 'forbidden' };
const EXPIRED = { status: 401, code: 'authentication_failed' };

forEachBackend('API: app-portal access tokens through the svix client', (backend) => {
  let api: ApiHarness;
  let acmeId: string;
  let otherId: string;
  /** A svix client holding a fresh portal token for acme, issued with these options. */
  const portal = async (options: Parameters<Svix['authentication']['appPortalAccess']>[1] = {}) => {
    const { token, url } = await api.svix.authentication.appPortalAccess('acme', options);
    return { token, url, svix: new Svix(token, { serverUrl: api.serverUrl }) };
  };

  beforeAll(async () => {
    api = await startApi(backend, { allowPrivateNetworks: true });
    otherId = (await api.svix.application.create({ name: 'Other', uid: 'other' })).id;
    await api.svix.endpoint.create('other', { url: 'http://127.0.0.1:9/other' });
  });
  afterAll(() => api.close());

  it('creates the app from `application` and answers {url, token}, the token in the fragment', async () => {
    const { token, url } = await api.svix.authentication.appPortalAccess('acme', {
      application: { name: 'Acme Shop' },
    });
    acmeId = (await api.svix.application.get('acme')).id;
    expect(token).toMatch(/^hkp_[\w-]{32}$/);
    expect(url).toBe(`${api.serverUrl}/portal#key=${token}`);
    // Stored by its hash only: the token itself finds nothing.
    expect(await api.store.portalTokens.find(token, new Date())).toBeNull();
    expect((await api.store.portalTokens.find(hashPortalToken(token), new Date()))?.appId).toBe(acmeId);
  });

  it('refuses an `application` that is not an ApplicationIn (422) even when the app exists and it would be unused', async () => {
    for (const path of ['/api/v1/auth/app-portal-access/other', '/api/v1/app/other/msg']) {
      const res = await api.http('POST', path, {
        body: { eventType: 'a.b', payload: {}, application: 'Acme' },
      });
      expect(res.status, path).toBe(422);
      expect(res.json, path).toMatchObject({ detail: [{ loc: ['body', 'application'] }] });
      // An object without the name an ApplicationIn needs.
      const nameless = await api.http('POST', path, {
        body: { eventType: 'a.b', payload: {}, application: {} },
      });
      expect(nameless.status, path).toBe(422);
      expect(nameless.json, path).toMatchObject({ detail: [{ loc: ['body', 'application', 'name'] }] });
    }
    // A body that is JSON null is not an absent one.
    const nullBody = await api.http('POST', '/api/v1/auth/app-portal-access/other', { body: null });
    expect(nullBody.status).toBe(422);
    // null is "not sent".
    const ok = await api.http('POST', '/api/v1/auth/app-portal-access/other', {
      body: { application: null },
    });
    expect(ok.status).toBe(200);
  });

  it("works on its own app's routes, by uid or id", async () => {
    const { svix } = await portal();
    const ep = await svix.endpoint.create('acme', { url: 'http://127.0.0.1:9/hook', filterTypes: ['a.b'] });
    expect((await svix.endpoint.list(acmeId)).data.map((e) => e.id)).toContain(ep.id);
    expect((await svix.endpoint.getSecret('acme', ep.id)).key).toMatch(/^whsec_/);
    await svix.endpoint.rotateSecret('acme', ep.id, {});
    await svix.endpoint.update('acme', ep.id, { url: 'http://127.0.0.1:9/hook2', disabled: true });
    expect((await svix.application.get('acme')).name).toBe('Acme Shop');
    expect((await svix.message.list('acme')).data).toEqual([]);
    await svix.endpoint.delete('acme', ep.id);
  });

  it('is refused with 403 forbidden on any other app, app lists, event-type writes, operational webhooks and token routes', async () => {
    const { svix } = await portal();
    expect(await refusal(svix.endpoint.list('other'))).toEqual(FORBIDDEN);
    expect(await refusal(svix.endpoint.list(otherId))).toEqual(FORBIDDEN);
    expect(await refusal(svix.application.get('no-such-app'))).toEqual(FORBIDDEN);
    expect(await refusal(svix.message.create('other', { eventType: 'a.b', payload: {} }))).toEqual(FORBIDDEN);
    expect(await refusal(svix.application.list())).toEqual(FORBIDDEN);
    expect(await refusal(svix.application.update('acme', { name: 'x' }))).toEqual(FORBIDDEN);
    expect(await refusal(svix.application.delete('acme'))).toEqual(FORBIDDEN);
    // Customers read from their endpoints; they do not publish into their app.
    expect(await refusal(svix.message.create('acme', { eventType: 'a.b', payload: {} }))).toEqual(FORBIDDEN);
    expect(await refusal(svix.eventType.create({ name: 'x.y', description: 'x' }))).toEqual(FORBIDDEN);
    expect(await refusal(svix.eventType.delete('x.y'))).toEqual(FORBIDDEN);
    expect(await refusal(svix.operationalWebhookEndpoint.list())).toEqual(FORBIDDEN);
    expect(await refusal(svix.authentication.appPortalAccess('acme', {}))).toEqual(FORBIDDEN);
    expect(await refusal(svix.authentication.expireAll('acme', {}))).toEqual(FORBIDDEN);
    // The body's shape as docs/api.md tells it.
    const raw = await api.http('GET', '/api/v1/app/other/endpoint', {
      token: (await portal()).token,
    });
    expect(raw.json).toEqual({
      code: 'forbidden',
      detail: 'this app-portal token is for another application',
    });
  });

  it('holds a token to its capabilities', async () => {
    const ep = await api.svix.endpoint.create('acme', { url: 'http://127.0.0.1:9/caps' });
    const msg = await api.svix.message.create('acme', { eventType: 'a.b', payload: { n: 1 } });
    const viewOnly = (await portal({ capabilities: ['ViewBase' as never] })).svix;
    expect((await viewOnly.endpoint.get('acme', ep.id)).url).toBe('http://127.0.0.1:9/caps');
    expect((await viewOnly.message.get('acme', msg.id)).payload).toEqual({ n: 1 });
    expect(await refusal(viewOnly.endpoint.getSecret('acme', ep.id))).toEqual(FORBIDDEN);
    expect(await refusal(viewOnly.endpoint.rotateSecret('acme', ep.id, {}))).toEqual(FORBIDDEN);
    expect(await refusal(viewOnly.endpoint.create('acme', { url: 'http://127.0.0.1:9/x' }))).toEqual(
      FORBIDDEN,
    );
    expect(await refusal(viewOnly.endpoint.patch('acme', ep.id, { disabled: true }))).toEqual(FORBIDDEN);
    expect(await refusal(viewOnly.messageAttempt.resend('acme', msg.id, ep.id))).toEqual(FORBIDDEN);
    expect(
      await refusal(viewOnly.endpoint.sendExample('acme', ep.id, { eventType: 'a.b', exampleIndex: 0 })),
    ).toEqual(FORBIDDEN);

    const secretViewer = (await portal({ capabilities: ['ViewBase', 'ViewEndpointSecret'] as never })).svix;
    expect((await secretViewer.endpoint.getSecret('acme', ep.id)).key).toMatch(/^whsec_/);
    expect(await refusal(secretViewer.endpoint.rotateSecret('acme', ep.id, {}))).toEqual(FORBIDDEN);

    const secretManager = (await portal({ capabilities: ['ViewBase', 'ManageEndpointSecret'] as never }))
      .svix;
    expect(await refusal(secretManager.endpoint.rotateSecret('acme', ep.id, {}))).toBe('ok');
    expect(await refusal(secretManager.endpoint.delete('acme', ep.id))).toEqual(FORBIDDEN);

    const attempter = (await portal({ capabilities: ['ViewBase', 'CreateAttempts'] as never })).svix;
    expect(await refusal(attempter.messageAttempt.resend('acme', msg.id, ep.id))).toBe('ok');
    expect(await refusal(attempter.endpoint.getSecret('acme', ep.id))).toEqual(FORBIDDEN);

    // Read-only keeps only the reading capabilities, whatever was asked.
    const readOnly = await portal({ readOnly: true });
    expect(await refusal(readOnly.svix.endpoint.delete('acme', ep.id))).toEqual(FORBIDDEN);
    expect(await refusal(readOnly.svix.messageAttempt.resend('acme', msg.id, ep.id))).toEqual(FORBIDDEN);
    const session = await api.http('GET', '/api/v1/auth/session', { token: readOnly.token });
    expect(session.json).toMatchObject({
      kind: 'app-portal',
      appId: acmeId,
      appUid: 'acme',
      capabilities: ['ViewBase', 'ViewEndpointSecret'],
      readOnly: true,
    });
    const operator = await api.http('GET', '/api/v1/auth/session');
    expect(operator.json).toEqual({ kind: 'operator' });
  });

  it('checks AppPortalAccessIn', async () => {
    const res = await api.http('POST', '/api/v1/auth/app-portal-access/acme', {
      body: { expiry: 60, capabilities: ['ViewBase', 'Everything'], readOnly: 'yes' },
    });
    expect(res.status).toBe(422);
    expect(res.json.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.capabilities.1',
      'body.expiry',
      'body.readOnly',
    ]);
    const missing = await api.http('POST', '/api/v1/auth/app-portal-access/nobody', { body: {} });
    expect(missing.status).toBe(404);
  });

  it('logout revokes the presenting token only; the API token cannot log out', async () => {
    const a = await portal();
    const b = await portal();
    await a.svix.authentication.logout();
    expect(await refusal(a.svix.endpoint.list('acme'))).toEqual(EXPIRED);
    expect(await refusal(b.svix.endpoint.list('acme'))).toBe('ok');
    const res = await api.http('POST', '/api/v1/auth/logout');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('bad_request');
  });

  it('expire-all revokes the tokens of one app, of some sessions only when asked, after an optional grace', async () => {
    const s1 = await portal({ sessionId: 'session-1' });
    const s2 = await portal({ sessionId: 'session-2' });
    const other = new Svix((await api.svix.authentication.appPortalAccess('other', {})).token, {
      serverUrl: api.serverUrl,
    });
    await api.svix.authentication.expireAll('acme', { sessionIds: ['session-1'] });
    expect(await refusal(s1.svix.endpoint.list('acme'))).toEqual(EXPIRED);
    expect(await refusal(s2.svix.endpoint.list('acme'))).toBe('ok');

    // A grace leaves the token working until then.
    await api.svix.authentication.expireAll('acme', { expiry: 3600 });
    expect(await refusal(s2.svix.endpoint.list('acme'))).toBe('ok');
    const graced = await api.store.portalTokens.find(hashPortalToken(s2.token), new Date());
    expect(graced!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);

    await api.svix.authentication.expireAll('acme', {});
    expect(await refusal(s2.svix.endpoint.list('acme'))).toEqual(EXPIRED);
    expect(await refusal(other.endpoint.list('other'))).toBe('ok');
    // An expired token's message says so, for the portal page to show.
    const res = await api.http('GET', '/api/v1/app/acme/endpoint', { token: s2.token });
    expect(res.json.detail).toBe('this app-portal token has expired or was revoked');
  });

  it('keeps a checked portalTheme with the token, and the session route shows it', async () => {
    const issue = (portalTheme: unknown) =>
      api.http('POST', '/api/v1/auth/app-portal-access/acme', { body: { portalTheme } });
    const themed = await issue({ theme: 'dark', accent: '#0F766E', logo: 'https://logo.example/brand.svg' });
    expect(themed.status).toBe(200);
    const session = await api.http('GET', '/api/v1/auth/session', { token: themed.json.token });
    expect(session.json.theme).toEqual({
      theme: 'dark',
      accent: '#0f766e',
      logo: 'https://logo.example/brand.svg',
    });
    // Each setting is optional; none (or null) stores none.
    const partial = await issue({ accent: '#123456' });
    expect((await api.http('GET', '/api/v1/auth/session', { token: partial.json.token })).json.theme).toEqual(
      {
        accent: '#123456',
      },
    );
    for (const none of [null, {}]) {
      const plain = await issue(none);
      expect(
        (await api.http('GET', '/api/v1/auth/session', { token: plain.json.token })).json.theme,
      ).toBeNull();
    }
    // Refused, each at its place: a mode that is not light or dark, an accent not #RRGGBB, a logo not https.
    const bad = await issue({
      theme: 'blue',
      accent: 'red',
      logo: 'javascript:alert(1)',
    });
    expect(bad.status).toBe(422);
    expect(bad.json.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.portalTheme.theme',
      'body.portalTheme.accent',
      'body.portalTheme.logo',
    ]);
    for (const logo of [
      'http://logo.example/a.png',
      'https://user:pw@logo.example/a.png',
      'data:image/png,x',
    ]) {
      expect((await issue({ logo })).status, logo).toBe(422);
    }
    expect((await issue('dark')).status).toBe(422);
  });

  it('a token past its expiry is refused', async () => {
    const token = 'hkp_expired-token-for-the-test-0123456789';
    await api.store.portalTokens.create({
      tokenHash: hashPortalToken(token),
      appId: acmeId,
      capabilities: ['ViewBase'],
      featureFlags: [],
      sessionId: null,
      theme: null,
      createdAt: new Date(Date.now() - 7200_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    const res = await api.http('GET', '/api/v1/app/acme/endpoint', { token });
    expect(res.status).toBe(401);
  });

  it('shows event types behind a feature flag only to tokens issued with it', async () => {
    await api.svix.eventType.create({ name: 'beta.thing', description: 'beta', featureFlags: ['beta'] });
    await api.svix.eventType.create({ name: 'public.thing', description: 'public' });
    const names = async (svix: Svix) => (await svix.eventType.list()).data.map((e) => e.name);
    const plain = (await portal()).svix;
    const flagged = (await portal({ featureFlags: ['beta'] })).svix;
    expect(await names(plain)).toEqual(['public.thing']);
    expect(await names(flagged)).toEqual(['beta.thing', 'public.thing']);
    expect(await refusal(plain.eventType.get('beta.thing'))).toMatchObject({ status: 404 });
    expect(await names(api.svix)).toEqual(['beta.thing', 'public.thing']);
  });
});

forEachBackend('API: send-example and the public URL', (backend) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(backend, { publicUrl: 'https://hooks.example.com/base' });
  });
  afterAll(() => api.close());

  it('builds the portal link on --public-url', async () => {
    await api.svix.application.create({ name: 'A', uid: 'a' });
    const { url, token } = await api.svix.authentication.appPortalAccess('a', {});
    expect(url).toBe(`https://hooks.example.com/base/portal#key=${token}`);
  });

  it("sends the event type's example to that endpoint alone, whatever its filters", async () => {
    await api.svix.eventType.create({
      name: 'order.paid',
      description: 'paid',
      schemas: { '1': { type: 'object', examples: [{ order: 1 }, { order: 2 }] } },
    });
    const target = await api.svix.endpoint.create('a', {
      url: 'https://receiver.example.com/t',
      filterTypes: ['something.else'],
    });
    const bystander = await api.svix.endpoint.create('a', { url: 'https://receiver.example.com/b' });
    const msg = await api.svix.endpoint.sendExample('a', target.id, {
      eventType: 'order.paid',
      exampleIndex: 1,
    });
    expect(msg.payload).toEqual({ order: 2 });
    const deliveries = await api.svix.messageAttempt.listAttemptedDestinations('a', msg.id);
    expect(deliveries.data.map((d) => d.id)).toEqual([target.id]);
    expect(bystander.id).not.toBe(target.id);
    // An event type not in the catalogue is a 422 (docs/api.md, send-example).
    await expect(
      api.svix.endpoint.sendExample('a', target.id, { eventType: 'not.in.catalogue', exampleIndex: 0 }),
    ).rejects.toMatchObject({ code: 422 });
  });
});

describe('config', () => {
  it('is checked', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(loadConfig({ publicUrl: 'https://h.example.com/' }).publicUrl).toBe('https://h.example.com');
    expect(() => loadConfig({ publicUrl: 'ftp://x' })).toThrow(/--public-url/);
    expect(loadConfig({ portalFrameAncestors: "'self' https://app.example.com" }).portalFrameAncestors).toBe(
      "'self' https://app.example.com",
    );
    expect(() => loadConfig({ portalFrameAncestors: 'https://a.example.com; script-src *' })).toThrow(
      /--portal-frame-ancestors/,
    );
  });
});
