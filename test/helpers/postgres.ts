import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests: the server from HOOKLINE_TEST_DATABASE_URL (default
 * the local one CI starts), one schema per test file. Without a server, tests
 * skip with a visible notice, unless HOOKLINE_REQUIRE_SERVICES=1 (CI), where a
 * missing server fails the run.
 */
export const BASE_URL = process.env.HOOKLINE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  schema: string;
  /** BASE_URL with `?schema=`: what `--database` and openStore take. */
  url: string;
  /** Runs SQL in the test schema (on a short-lived connection). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

let availability: Promise<boolean> | undefined;

/** Whether PostgreSQL answers; throws when it does not and services are required. */
export function postgresAvailable(): Promise<boolean> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (err) {
      const why = `PostgreSQL is not reachable at ${BASE_URL} (${(err as Error).message})`;
      if (process.env.HOOKLINE_REQUIRE_SERVICES === '1')
        throw new Error(`${why}; HOOKLINE_REQUIRE_SERVICES=1`);
      console.warn(
        `\n[hookline] SKIPPING PostgreSQL tests: ${why}. Set HOOKLINE_REQUIRE_SERVICES=1 to fail.\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return availability;
}

export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function run<R extends pg.QueryResultRow>(schema: string | null, text: string, values?: unknown[]) {
  const client = new pg.Client({
    connectionString: BASE_URL,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh, empty schema `hookline_test_<label>_<random>`; tables come from the store's migrations. */
export async function createTestSchema(label = 't'): Promise<TestSchema> {
  const schema = `hookline_test_${label}_${randomBytes(4).toString('hex')}`;
  await run(null, `CREATE SCHEMA "${schema}"`);
  return {
    schema,
    url: withSchema(BASE_URL, schema),
    sql: (text, values) => run(schema, text, values),
    drop: async () => {
      await run(null, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}
