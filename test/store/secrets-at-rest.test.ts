import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HooklineError } from '../../src/core/errors.js';
import { createKeyring, type Keyring } from '../../src/core/secret-box.js';
import { openStore } from '../../src/store/open.js';
import { resealAll } from '../../src/store/reseal.js';
import type { FieldCipher } from '../../src/store/rows.js';
import { PartialClaimError, type Store } from '../../src/store/store.js';
import { endpointInput, TEST_SECRET } from '../helpers/fixtures.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';

/**
 * Secrets at rest on both backends, judged from the raw rows: what the store
 * writes for endpoints.secrets and endpoints.headers, how the start-up pass
 * seals clear-text rows and refuses a missing key, and rotation in batches.
 */
const HEADER_VALUE = 'Bearer receiver-credential-7f3a';
const headers = { Authorization: HEADER_VALUE, 'X-Tenant': 'tenant-plain-42' };

interface Backend {
  url: string;
  /** The raw text of an endpoint's sealed columns, read with SQL. */
  raw(id: string): Promise<{ headers: string; secrets: string }>;
  rawAll(): Promise<{ headers: string; secrets: string }[]>;
  done(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-sealed-'));
  const file = join(dir, 'h.db');
  const read = (sql: string, ...args: string[]) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).all(...args) as { headers: string; secrets: string }[];
    } finally {
      db.close();
    }
  };
  return {
    url: `sqlite:${file}`,
    raw: async (id) => read('SELECT headers, secrets FROM endpoints WHERE id = ?', id)[0]!,
    rawAll: async () => read('SELECT headers, secrets FROM endpoints ORDER BY id'),
    done: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(schema: TestSchema): Backend {
  const cols = 'headers::text AS headers, secrets::text AS secrets';
  return {
    url: schema.url,
    raw: async (id) =>
      (
        await schema.sql<{ headers: string; secrets: string }>(
          `SELECT ${cols} FROM endpoints WHERE id = $1`,
          [id],
        )
      )[0]!,
    rawAll: () => schema.sql(`SELECT ${cols} FROM endpoints ORDER BY id`),
    done: async () => {
      await schema.sql('TRUNCATE applications, endpoints, messages, deliveries, settings CASCADE');
    },
  };
}

const keyring = (...keys: Buffer[]): Keyring => createKeyring(keys);
const thrown = async (p: Promise<unknown>): Promise<HooklineError> => {
  try {
    await p;
  } catch (err) {
    return err as HooklineError;
  }
  throw new Error('expected a rejection');
};

function suite(name: string, backend: () => Promise<Backend>) {
  describe(`secrets at rest: ${name}`, () => {
    let b: Backend;
    const stores: Store[] = [];
    const open = async (cipher: FieldCipher) => {
      const store = await openStore(b.url, { cipher });
      stores.push(store);
      return store;
    };
    const setUp = async (store: Store, n = 1) => {
      const app = await store.apps.create({ uid: null, name: 'shop', rateLimit: null, metadata: {} });
      const eps = [];
      for (let i = 0; i < n; i++) eps.push(await store.endpoints.create(app.id, endpointInput({ headers })));
      return { app, eps };
    };
    const expectSealed = (raw: { headers: string; secrets: string }, ring: Keyring) => {
      for (const text of [raw.headers, raw.secrets]) {
        expect(text).toMatch(new RegExp(`^"hlenc:v1:${ring.primaryId}:`));
        expect(text).not.toContain(HEADER_VALUE);
        expect(text).not.toContain('tenant-plain-42');
        expect(text).not.toContain(TEST_SECRET.slice('whsec_'.length));
      }
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await b.done();
    });

    it('writes sealed columns only, and reads them back on every path (get, list, update, claim)', async () => {
      b = await backend();
      const ring = keyring(randomBytes(32));
      const store = await open(ring);
      const { app, eps } = await setUp(store);
      const ep = eps[0]!;
      expectSealed(await b.raw(ep.id), ring);
      expect(ep.headers).toEqual(headers);
      expect(ep.secrets).toEqual([{ key: TEST_SECRET, expiresAt: null }]);
      expect((await store.endpoints.get(app.id, ep.id))?.headers).toEqual(headers);
      expect((await store.endpoints.list(app.id, { limit: 10 })).items[0]?.secrets[0]?.key).toBe(TEST_SECRET);

      const expiresAt = new Date(Date.now() + 60_000);
      const rotated = await store.endpoints.update(app.id, ep.id, (cur) => ({
        ...cur,
        headers: { ...cur.headers, 'X-Extra': 'extra-plain-9' },
        secrets: [
          { key: 'whsec_bmV3c2VjcmV0bmV3c2VjcmV0bmV3c2VjcmV0', expiresAt: null },
          { ...cur.secrets[0]!, expiresAt },
        ],
      }));
      expect(rotated.secrets[1]).toEqual({ key: TEST_SECRET, expiresAt });
      const raw = await b.raw(ep.id);
      expectSealed(raw, ring);
      expect(raw.headers).not.toContain('extra-plain-9');

      await store.messages.create({
        appId: app.id,
        eventType: 'order.paid',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
      const [claim] = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
      expect(claim?.endpoint.headers).toEqual({ ...headers, 'X-Extra': 'extra-plain-9' });
      expect(claim?.endpoint.secrets.map((s) => s.key)).toEqual(rotated.secrets.map((s) => s.key));
    });

    it('seals clear-text rows in the start-up pass, and refuses a key id it was not given', async () => {
      b = await backend();
      const clear = await open(null);
      const { app, eps } = await setUp(clear, 3);
      expect((await b.raw(eps[0]!.id)).headers).toContain(HEADER_VALUE);
      await clear.close();

      const ring = keyring(randomBytes(32));
      const store = await open(ring);
      expect(await resealAll(store, { rotate: false, batchSize: 2 })).toEqual({
        read: 3,
        resealed: 3,
        batches: 2,
      });
      for (const raw of await b.rawAll()) expectSealed(raw, ring);
      expect((await store.endpoints.get(app.id, eps[2]!.id))?.headers).toEqual(headers);
      // A second start finds nothing to do.
      expect((await resealAll(store, { rotate: false })).resealed).toBe(0);
      await store.close();

      for (const wrong of [null, keyring(randomBytes(32))]) {
        const s = await open(wrong);
        const err = await thrown(resealAll(s, { rotate: false }));
        expect(err).toBeInstanceOf(HooklineError);
        expect(err.code).toBe('CONFIG_INVALID');
        expect(err.message).toContain(`key id ${ring.primaryId}`);
        await s.close();
      }
    });

    it('rotates in batches: two keys, rotate, old key removed, still readable', async () => {
      b = await backend();
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const before = await open(keyring(oldKey));
      const { app, eps } = await setUp(before, 5);
      await before.close();

      const both = keyring(newKey, oldKey);
      const rotating = await open(both);
      // Reads work with both keys before anything is rotated.
      expect((await rotating.endpoints.get(app.id, eps[4]!.id))?.headers).toEqual(headers);
      const seen: number[] = [];
      const totals = await resealAll(rotating, {
        rotate: true,
        batchSize: 2,
        onBatch: (batch) => seen.push(batch.resealed),
      });
      expect(totals).toEqual({ read: 5, resealed: 5, batches: 3 });
      expect(seen).toEqual([2, 2, 1]);
      expect((await resealAll(rotating, { rotate: true })).resealed).toBe(0);
      await rotating.close();

      const onlyNew = keyring(newKey);
      for (const raw of await b.rawAll()) expectSealed(raw, onlyNew);
      const after = await open(onlyNew);
      expect((await resealAll(after, { rotate: false })).read).toBe(5);
      for (const ep of eps)
        expect((await after.endpoints.get(app.id, ep.id))?.secrets[0]?.key).toBe(TEST_SECRET);
    });

    it('a delivery whose secrets this process cannot open does not hold up the rest of its claim', async () => {
      b = await backend();
      const ringA = keyring(randomBytes(32));
      const ringB = keyring(randomBytes(32));
      const a = await open(ringA);
      const onlyB = await open(ringB);
      const { app, eps } = await setUp(a); // sealed under A
      const readable = await onlyB.endpoints.create(app.id, endpointInput({ headers })); // sealed under B
      await onlyB.messages.create({
        appId: app.id,
        eventType: 'order.paid',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
      const failed = await thrown(onlyB.queue.claimDue({ limit: 10, leaseMs: 60_000 }));
      expect(failed).toBeInstanceOf(PartialClaimError);
      const claims = (failed as PartialClaimError).claims;
      expect(claims.map((c) => c.endpoint.id)).toEqual([readable.id]);
      expect(claims[0]?.endpoint.headers).toEqual(headers);
      expect(String(failed.message)).toContain(ringA.primaryId);
      // The unreadable one stays leased, and a process holding its key can send it once the lease runs out.
      const stats = await a.endpoints.stats(app.id, eps[0]!.id);
      expect(stats).toMatchObject({ sending: 1, pending: 0 });
      // (Both leases ran out, the other one never recorded: A, without B's key, gets the same treatment.)
      const later = new Date(Date.now() + 120_000);
      const retaken = await thrown(a.queue.claimDue({ limit: 10, leaseMs: 60_000, now: later }));
      expect((retaken as PartialClaimError).claims.map((c) => c.endpoint.id)).toEqual([eps[0]!.id]);
    });

    it('replaces a setting only while it still holds the expected value', async () => {
      b = await backend();
      const store = await open(null);
      await store.settings.getOrSet('api_token', 'hk_clear');
      expect(await store.settings.replace('api_token', 'hk_other', 'sha256:x')).toBe(false);
      expect(await store.settings.replace('api_token', 'hk_clear', 'sha256:y')).toBe(true);
      expect(await store.settings.get('api_token')).toBe('sha256:y');
    });
  });
}

suite('sqlite', sqliteBackend);

describe('SQLite file modes', () => {
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
  it('creates the database 0600 (its -wal and -shm follow), and takes the bits for others off an older file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-modes-'));
    try {
      const fresh = join(dir, 'new.db');
      const store = await openStore(`sqlite:${fresh}`);
      await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
      expect([mode(fresh), mode(`${fresh}-wal`), mode(`${fresh}-shm`)]).toEqual(['600', '600', '600']);
      await store.close();

      // As an older version left it: world-readable, with a group bit set on purpose.
      const old = join(dir, 'old.db');
      new Database(old).close();
      chmodSync(old, 0o644);
      const reopened = await openStore(`sqlite:${old}`);
      await reopened.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
      expect([mode(old), mode(`${old}-wal`)]).toEqual(['640', '640']);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const available = await postgresAvailable();
if (available) {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('sealed');
  });
  afterAll(async () => {
    await schema?.drop();
  });
  suite('postgres', async () => postgresBackend(schema));
} else {
  describe.skip('secrets at rest: postgres (PostgreSQL not reachable)', () => {
    it('skipped', () => {});
  });
}
