import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postgresStore } from '@hookline/verify';
import { PG_URL, describeWithService, probePostgres } from './services.js';
import { idempotencyStoreSuite } from './store-suite.js';

const unreachable = await probePostgres();
// One schema per test file run, dropped afterwards.
const schema = `hookline_verify_${randomUUID().replace(/-/g, '')}`;

describeWithService('PostgreSQL store', unreachable, () => {
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: PG_URL, max: 10 });
    pools.push(p);
    return p;
  };
  const admin = pool();

  beforeAll(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('creates the table on first use', async () => {
    const store = postgresStore(admin, { table: `${schema}.created_lazily` });
    expect(await store.claim('first', 'token-1', 1000)).toBe('claimed');
    const { rows } = await admin.query(`SELECT key, state, owner FROM ${schema}.created_lazily`);
    expect(rows).toEqual([{ key: 'first', state: 'pending', owner: 'token-1' }]);
  });

  it('adds the owner column to a table created before claims had owners', async () => {
    const t = `${schema}.old_layout`;
    await admin.query(
      `CREATE TABLE ${t} (key text PRIMARY KEY, state text NOT NULL, expires_at timestamptz NOT NULL)`,
    );
    await admin.query(
      `INSERT INTO ${t} VALUES ('done-before', 'done', now() + interval '1 minute'), ('pending-before', 'pending', now() + interval '1 minute')`,
    );
    const store = postgresStore(admin, { table: t });
    // Several processes migrating at once.
    await Promise.all([store.setup(), postgresStore(pool(), { table: t }).setup()]);
    const { rows } = await admin.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'old_layout'`,
      [schema],
    );
    expect(rows).toContainEqual({ column_name: 'owner' });
    expect(await store.claim('done-before', 't1', 1000)).toBe('completed');
    // A claim of the old version has no owner: no token releases it, it expires.
    await store.release('pending-before', 't1');
    expect(await store.claim('pending-before', 't1', 1000)).toBe('in_progress');
    expect(await store.claim('new', 't1', 1000)).toBe('claimed');
    await store.complete('new', 't1', 1000);
    expect(await store.claim('new', 't2', 1000)).toBe('completed');
  });

  // Each store has its own pool: many processes sharing one database.
  idempotencyStoreSuite(() => postgresStore(pool(), { table: `${schema}.webhook_ids` }));

  it('prunes expired rows', async () => {
    const store = postgresStore(admin, { table: `${schema}.prune_test` });
    await store.claim('old', 't1', 1);
    await store.complete('kept', 't2', 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.prune()).toBe(1);
    const { rows } = await admin.query(`SELECT key FROM ${schema}.prune_test`);
    expect(rows).toEqual([{ key: 'kept' }]);
  });
});
