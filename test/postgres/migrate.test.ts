import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { runScript } from './cluster.js';

const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL migrations', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('migrate');
    await schema.sql(`DROP SCHEMA "${schema.schema}"`); // let the migrating processes race to create it
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('run concurrently from three OS processes without error, each applied once', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map(() => runScript('test/postgres/fixtures/migrate.ts', [schema.url])),
    );
    for (const r of runs) expect(r, r.output).toMatchObject({ code: 0 });
    const applied = await schema.sql<{ version: number; n: number }>(
      'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(applied.length).toBeGreaterThan(0);
    for (const row of applied) expect(row.n).toBe(1);
    const tables = await schema.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()',
    );
    expect(tables[0]!.n).toBeGreaterThanOrEqual(9);
  });
});
