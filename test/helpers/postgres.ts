import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
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

// ---- server restarts ---------------------------------------------------------------
// A restart test restarts the whole shared server, which would break any other
// test file using it at that moment. So every test schema holds a shared
// advisory lock for its lifetime, and a restart first takes the same lock
// exclusively: it waits until no other file is using the server, and files
// starting meanwhile queue behind it (then retry once the server is back).
const SERVER_LOCK = "hashtext('hookline.test.server')";

async function waitUntilUp(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await run(null, 'SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Holds the shared server lock on its own connection until released. */
async function holdServerShared(): Promise<() => Promise<void>> {
  for (let tries = 0; ; tries++) {
    const client = new pg.Client({ connectionString: BASE_URL });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(`SELECT pg_advisory_lock_shared(${SERVER_LOCK})`);
      return () => client.end().catch(() => {});
    } catch (err) {
      await client.end().catch(() => {});
      if (tries >= 5) throw err;
      await waitUntilUp(); // a restart test ran while we queued: the server is coming back
    }
  }
}

/** The command that restarts the local server, or null when this machine has none we know. */
export function restartCommand(): string | null {
  if (process.env.HOOKLINE_TEST_PG_RESTART) return process.env.HOOKLINE_TEST_PG_RESTART;
  if (!existsSync('/etc/postgresql')) return null;
  const version = readdirSync('/etc/postgresql')[0];
  return version ? `pg_ctlcluster --skip-systemctl-redirect ${version} main restart` : null;
}

/**
 * Reserves the server for a restart: waits until no other test file uses it
 * (and makes files starting meanwhile wait), so the restart can then happen
 * exactly when the caller wants it, mid-run. The caller's own schema must
 * come from createTestSchema(label, { restarts: true }).
 */
export async function reserveRestart(): Promise<{ restart(): Promise<void>; release(): Promise<void> }> {
  const command = restartCommand();
  if (!command) throw new Error('no PostgreSQL restart command (set HOOKLINE_TEST_PG_RESTART)');
  const lock = new pg.Client({ connectionString: BASE_URL });
  lock.on('error', () => {});
  await lock.connect();
  await lock.query(`SELECT pg_advisory_lock(${SERVER_LOCK})`);
  const release = () => lock.end().catch(() => {});
  return {
    /** The real thing: every session is terminated, the server shuts down and starts again. */
    async restart() {
      try {
        // Asynchronously: the caller's own clients keep running through the restart.
        await promisify(exec)(command, { timeout: 120_000 });
      } finally {
        await release(); // the restart ended the session (and its lock) anyway
      }
      await waitUntilUp();
    },
    release,
  };
}

/**
 * A fresh, empty schema `hookline_test_<label>_<random>`; tables come from the
 * store's migrations. Holds the shared server lock until drop(), unless
 * `restarts` (the file will call reserveRestart itself).
 */
export async function createTestSchema(label = 't', opts: { restarts?: boolean } = {}): Promise<TestSchema> {
  const release = opts.restarts ? async () => {} : await holdServerShared();
  const schema = `hookline_test_${label}_${randomBytes(4).toString('hex')}`;
  await run(null, `CREATE SCHEMA "${schema}"`);
  return {
    schema,
    url: withSchema(BASE_URL, schema),
    sql: (text, values) => run(schema, text, values),
    drop: async () => {
      try {
        await waitUntilUp();
        await run(null, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await release();
      }
    },
  };
}
