import { afterAll, beforeAll, expect, it } from 'vitest';
import { derivedPublicKey, newKeyPair } from '../helpers/ed25519.js';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

const WEEK_SECONDS = 7 * 86_400;

forEachBackend('API: ed25519 secrets and rotation limits', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'secrets' })).id;
  });
  afterAll(() => api.close());

  const create = (body: Record<string, unknown>) =>
    api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url: 'https://example.com/s', ...body } });
  const secretOf = async (epId: string) =>
    (await api.http('GET', `/api/v1/app/${appId}/endpoint/${epId}/secret`)).json as {
      key: string;
      publicKey: string | null;
    };

  it('generates an ed25519 key on request and returns its public key', async () => {
    const ep = await create({ secretKind: 'ed25519' });
    expect(ep.status).toBe(201);
    const { key, publicKey } = await secretOf(ep.json.id);
    expect(key).toMatch(/^whsk_/);
    expect(Buffer.from(key.slice(5), 'base64')).toHaveLength(64);
    expect(publicKey).toMatch(/^whpk_/);
    expect(publicKey).toBe(derivedPublicKey(key));
    // The Svix client reads the same response and ignores the extra field.
    expect((await api.svix.endpoint.getSecret(appId, ep.json.id)).key).toBe(key);
  });

  it('keeps a supplied whsk_ key and returns the matching public key', async () => {
    const pair = newKeyPair();
    const ep = await create({ secret: pair.whsk });
    expect(ep.status).toBe(201);
    expect(await secretOf(ep.json.id)).toEqual({ key: pair.whsk, publicKey: pair.whpk });
    const agreeing = await create({ secret: newKeyPair().whsk, secretKind: 'ed25519' });
    expect(agreeing.status).toBe(201);
  });

  it('HMAC stays the default and has no public key', async () => {
    const ep = await create({});
    const { key, publicKey } = await secretOf(ep.json.id);
    expect(key).toMatch(/^whsec_/);
    expect(publicKey).toBeNull();
    expect((await secretOf((await create({ secretKind: 'hmac' })).json.id)).key).toMatch(/^whsec_/);
  });

  it('422 for an unknown secretKind, one that contradicts the secret, or a malformed whsk_ key', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ secretKind: 'rsa' }, 'body.secretKind'],
      [
        { secretKind: 'ed25519', secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` },
        'body.secretKind',
      ],
      [{ secretKind: 'hmac', secret: newKeyPair().whsk }, 'body.secretKind'],
      [{ secret: `whsk_${Buffer.alloc(32, 1).toString('base64')}` }, 'body.secret'],
    ];
    for (const [body, loc] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([loc]);
    }
  });

  it('rotation keeps the kind, or switches it when asked', async () => {
    const ep = (await create({ secretKind: 'ed25519' })).json.id as string;
    const rotate = (body: unknown) =>
      api.http('POST', `/api/v1/app/${appId}/endpoint/${ep}/secret/rotate`, { body });
    const first = await secretOf(ep);
    expect((await rotate({})).status).toBe(204);
    const kept = await secretOf(ep);
    expect(kept.key).toMatch(/^whsk_/);
    expect(kept.key).not.toBe(first.key);
    expect(kept.publicKey).toBe(derivedPublicKey(kept.key));

    expect((await rotate({ secretKind: 'hmac' })).status).toBe(204);
    expect(await secretOf(ep)).toMatchObject({ key: expect.stringMatching(/^whsec_/), publicKey: null });
    expect((await rotate({ secretKind: 'ed25519' })).status).toBe(204);
    expect((await secretOf(ep)).key).toMatch(/^whsk_/);

    const pair = newKeyPair();
    expect((await rotate({ key: pair.whsk })).status).toBe(204);
    expect(await secretOf(ep)).toEqual({ key: pair.whsk, publicKey: pair.whpk });
    const clash = await rotate({ key: newKeyPair().whsk, secretKind: 'hmac' });
    expect(clash.status).toBe(422);
    expect(clash.json.detail[0].loc).toEqual(['body', 'secretKind']);
  });

  it('rotating 12 times keeps the current secret and at most 10 previous ones, newest first', async () => {
    const ep = (await create({ secretKind: 'ed25519' })).json.id as string;
    const keys = [(await secretOf(ep)).key];
    for (let i = 0; i < 12; i++) {
      await api.svix.endpoint.rotateSecret(appId, ep, { gracePeriodSeconds: 3600 });
      keys.push((await secretOf(ep)).key);
    }
    const stored = (await api.store.endpoints.get(appId, ep))?.secrets ?? [];
    expect(stored.map((s) => s.key)).toEqual(keys.slice(-11).reverse());
    expect(stored[0]?.expiresAt).toBeNull();
    expect(stored.slice(1).every((s) => s.expiresAt !== null)).toBe(true);
  });

  it('caps the grace period at 7 days: more is a 422 naming the field', async () => {
    const ep = (await create({})).json.id as string;
    const path = `/api/v1/app/${appId}/endpoint/${ep}/secret/rotate`;
    const over = await api.http('POST', path, { body: { gracePeriodSeconds: WEEK_SECONDS + 1 } });
    expect(over.status).toBe(422);
    expect(over.json.detail).toEqual([
      {
        loc: ['body', 'gracePeriodSeconds'],
        msg: `must be at most ${WEEK_SECONDS}`,
        type: 'value_error.number.not_le',
      },
    ]);
    const before = Date.now();
    expect((await api.http('POST', path, { body: { gracePeriodSeconds: WEEK_SECONDS } })).status).toBe(204);
    const previous = (await api.store.endpoints.get(appId, ep))?.secrets[1];
    expect(previous?.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + WEEK_SECONDS * 1000);
    expect(previous?.expiresAt?.getTime()).toBeLessThanOrEqual(Date.now() + WEEK_SECONDS * 1000);
  });

  it('a configured default grace above 7 days is clamped to 7 days', async () => {
    const long = await startApi(backend, { secretGracePeriodMs: 30 * 86_400_000 });
    try {
      const id = (await long.svix.application.create({ name: 'long-grace' })).id;
      const ep = await long.svix.endpoint.create(id, { url: 'https://example.com/g' });
      await long.svix.endpoint.rotateSecret(id, ep.id, {});
      const previous = (await long.store.endpoints.get(id, ep.id))?.secrets[1];
      expect(previous?.expiresAt?.getTime()).toBeLessThanOrEqual(Date.now() + WEEK_SECONDS * 1000);
    } finally {
      await long.close();
    }
  });
});
