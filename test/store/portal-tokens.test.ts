import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PortalToken } from '../../src/core/portal-token.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';

const HOUR = 3_600_000;

/** App-portal tokens in the store (migration 009): found while valid, expiry only ever lowered. */
forEachBackend('store: app-portal tokens', (backend) => {
  let db: TestDatabase;
  let store: Store;
  let appId: string;
  const now = Date.now();
  const token = (hash: string, extra: Partial<PortalToken> = {}): PortalToken => ({
    tokenHash: hash,
    appId,
    capabilities: ['ViewBase', 'ManageEndpoint'],
    featureFlags: ['beta'],
    sessionId: null,
    theme: null,
    createdAt: new Date(now),
    expiresAt: new Date(now + HOUR),
    ...extra,
  });

  beforeAll(async () => {
    db = await backend.database('portal_tokens');
    store = await openStore(db.url);
    appId = (await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} })).id;
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('finds a token by its hash while it is valid, with what it was issued', async () => {
    await store.portalTokens.create(token('sha256:one', { sessionId: 's1' }));
    const found = await store.portalTokens.find('sha256:one', new Date(now));
    expect(found).toEqual(token('sha256:one', { sessionId: 's1' }));
    expect(await store.portalTokens.find('sha256:one', new Date(now + HOUR))).toBeNull();
    expect(await store.portalTokens.find('sha256:none', new Date(now))).toBeNull();
  });

  it('keeps the portal theme the token was issued with', async () => {
    const theme = { theme: 'dark' as const, accent: '#0f766e', logo: 'https://logo.example/a.svg' };
    await store.portalTokens.create(token('sha256:themed', { theme }));
    expect((await store.portalTokens.find('sha256:themed', new Date(now)))?.theme).toEqual(theme);
  });

  it('logout and expire-all only ever bring expiry forward', async () => {
    await store.portalTokens.create(token('sha256:two', { sessionId: 's2' }));
    await store.portalTokens.create(
      token('sha256:three', { sessionId: 's3', expiresAt: new Date(now + 60_000) }),
    );
    // A grace longer than the token's life leaves it as it was.
    await store.portalTokens.expireAll(appId, new Date(now + 2 * HOUR), null);
    expect((await store.portalTokens.find('sha256:three', new Date(now)))?.expiresAt.getTime()).toBe(
      now + 60_000,
    );
    expect(await store.portalTokens.expireAll(appId, new Date(now + 30_000), ['s3'])).toBe(1);
    expect((await store.portalTokens.find('sha256:three', new Date(now)))?.expiresAt.getTime()).toBe(
      now + 30_000,
    );
    expect((await store.portalTokens.find('sha256:two', new Date(now)))?.expiresAt.getTime()).toBe(
      now + HOUR,
    );
    expect(await store.portalTokens.expire('sha256:two', new Date(now + 2 * HOUR))).toBe(true);
    expect((await store.portalTokens.find('sha256:two', new Date(now)))?.expiresAt.getTime()).toBe(
      now + HOUR,
    );
    expect(await store.portalTokens.expire('sha256:two', new Date())).toBe(true);
    expect(await store.portalTokens.find('sha256:two', new Date())).toBeNull();
    // Already expired: nothing to revoke.
    expect(await store.portalTokens.expire('sha256:two', new Date())).toBe(false);
  });

  it('a token for an app that does not exist is refused; deleting the app drops its tokens', async () => {
    await expect(
      store.portalTokens.create(token('sha256:orphan', { appId: 'app_missing' })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const other = await store.apps.create({ uid: null, name: 'b', rateLimit: null, metadata: {} });
    await store.portalTokens.create(token('sha256:b', { appId: other.id }));
    await store.apps.delete(other.id);
    expect(await store.portalTokens.find('sha256:b', new Date(now))).toBeNull();
  });
});
