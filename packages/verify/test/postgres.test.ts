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
    expect(await store.claim('first', 1000)).toBe('claimed');
    const { rows } = await admin.query(`SELECT key, state FROM ${schema}.created_lazily`);
    expect(rows).toEqual([{ key: 'first', state: 'pending' }]);
  });

  // Each store has its own pool: many processes sharing one database.
  idempotencyStoreSuite(() => postgresStore(pool(), { table: `${schema}.webhook_ids` }));

  it('prunes expired rows', async () => {
    const store = postgresStore(admin, { table: `${schema}.prune_test` });
    await store.claim('old', 1);
    await store.complete('kept', 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.prune()).toBe(1);
    const { rows } = await admin.query(`SELECT key FROM ${schema}.prune_test`);
    expect(rows).toEqual([{ key: 'kept' }]);
  });
});
