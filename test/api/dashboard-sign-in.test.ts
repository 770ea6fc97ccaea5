import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashOperatorSecret } from '../../src/core/operator-session.js';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi } from './harness.js';

const SIGN_IN = '/api/v1/auth/dashboard-sign-in';
const EXCHANGE = `${SIGN_IN}/exchange`;

/** The dashboard's one-time sign-in: a code from the API token, traded once for an expiring session token. */
forEachBackend('API: dashboard sign-in codes and sessions', (backend) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(backend);
  });
  afterAll(() => api.close());

  const newCode = async (): Promise<string> => {
    const res = await api.http('POST', SIGN_IN);
    expect(res.status).toBe(200);
    return res.json.code as string;
  };
  const exchange = (code: string) => api.http('POST', EXCHANGE, { body: { code }, token: null });

  it('issues a code in the fragment of a link to the dashboard, valid for a minute, stored hashed', async () => {
    const before = Date.now();
    const res = await api.http('POST', SIGN_IN);
    expect(res.status).toBe(200);
    const { url, code, expiresAt } = res.json;
    expect(code).toMatch(/^hkc_[\w-]{32}$/);
    expect(url).toBe(`${api.serverUrl}/#code=${code}`);
    const ttl = Date.parse(expiresAt) - before;
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    // The clear code is no key in the store; its hash is.
    const session = { tokenHash: 'sha256:x', createdAt: new Date(), expiresAt: new Date(Date.now() + 1000) };
    expect(await api.store.operatorSessions.exchangeCode(code, session)).toBe(false);
  });

  it('trades a code once for a session token with the API token’s rights; the second use is refused', async () => {
    const code = await newCode();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const token = first.json.token as string;
    expect(token).toMatch(/^hko_[\w-]{32}$/);
    const hours = (Date.parse(first.json.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11);
    expect(hours).toBeLessThanOrEqual(12);
    // Full operator rights: application writes, stats, issuing portal tokens.
    const created = await api.http('POST', '/api/v1/app', { body: { name: 'By session' }, token });
    expect(created.status).toBe(201);
    expect((await api.http('GET', '/api/v1/stats/deliveries', { token })).status).toBe(200);
    expect(
      (await api.http('POST', `/api/v1/auth/app-portal-access/${created.json.id}`, { token })).status,
    ).toBe(200);
    const session = await api.http('GET', '/api/v1/auth/session', { token });
    expect(session.json).toEqual({ kind: 'operator', expiresAt: first.json.expiresAt });
    // Stored by its hash only.
    expect(await api.store.operatorSessions.findSession(token, new Date())).toBeNull();
    expect(
      await api.store.operatorSessions.findSession(hashOperatorSecret(token), new Date()),
    ).not.toBeNull();

    const again = await exchange(code);
    expect(again.status).toBe(401);
    expect(again.json).toEqual({
      code: 'sign_in_code_invalid',
      detail: expect.stringMatching(/already used/),
    });
  });

  it('refuses two exchanges of one code made at once, but one', async () => {
    const code = await newCode();
    const results = await Promise.all([exchange(code), exchange(code), exchange(code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('refuses an expired code, an unknown one and one that is not a code at all', async () => {
    const code = 'hkc_expiredexpiredexpiredexpiredexpi';
    const past = new Date(Date.now() - 120_000);
    await api.store.operatorSessions.createCode(
      hashOperatorSecret(code),
      past,
      new Date(past.getTime() + 60_000),
    );
    for (const c of [code, 'hkc_unknownunknownunknownunknownunkn', 'hk_not_a_code']) {
      const res = await exchange(c);
      expect(res.status, c).toBe(401);
      expect(res.json.code, c).toBe('sign_in_code_invalid');
    }
    const missing = await api.http('POST', EXCHANGE, { body: {}, token: null });
    expect(missing.status).toBe(422);
  });

  it('logout revokes the session token, and only it', async () => {
    const a = (await exchange(await newCode())).json.token as string;
    const b = (await exchange(await newCode())).json.token as string;
    expect((await api.http('POST', '/api/v1/auth/logout', { token: a })).status).toBe(204);
    const refused = await api.http('GET', '/api/v1/app', { token: a });
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('authentication_failed');
    expect((await api.http('GET', '/api/v1/app', { token: b })).status).toBe(200);
    // The API token itself still cannot log out.
    expect((await api.http('POST', '/api/v1/auth/logout')).status).toBe(400);
  });

  it('issues codes only to the operator: no token, a wrong one or an app-portal token is refused', async () => {
    expect((await api.http('POST', SIGN_IN, { token: null })).status).toBe(401);
    expect((await api.http('POST', SIGN_IN, { token: 'hko_wrongwrongwrongwrongwrongwrongw' })).status).toBe(
      401,
    );
    await api.http('POST', '/api/v1/app', { body: { name: 'Acme', uid: 'acme' } });
    const portal = await api.http('POST', '/api/v1/auth/app-portal-access/acme');
    const res = await api.http('POST', SIGN_IN, { token: portal.json.token });
    expect(res.status).toBe(403);
  });
});
