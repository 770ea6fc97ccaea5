import pg from 'pg';
import { HooklineError } from '../../core/errors.js';
import type { ListStatement } from '../lists.js';
import type { Page } from '../store.js';
import { mapPgError } from './errors.js';

export interface PostgresOptions {
  /** Keep every table in this schema (created by migrate); for tests and for sharing one database. */
  schema?: string;
  /** Connections per process (default 10). */
  poolMax?: number;
}

/** What the repos need: one parameterised statement at a time, or a transaction. */
export interface Db {
  /**
   * Runs one statement. `name` makes pg prepare it once per connection (hot
   * path); `what` names the record in CONFLICT / NOT_FOUND messages.
   */
  query<R>(text: string, values?: unknown[], opts?: QueryOptions): Promise<R[]>;
  /** Runs a list statement (lists.ts) and maps the page's rows. */
  page<R, T>(s: ListStatement, map: (row: R) => T): Promise<Page<T>>;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  tx<T>(
    fn: (q: <R>(text: string, values?: unknown[]) => Promise<R[]>) => Promise<T>,
    what?: string,
  ): Promise<T>;
  /** The schema every statement runs in (for NOTIFY payloads and lock keys). */
  readonly schema: string | null;
  readonly pool: pg.Pool;
  readonly clientConfig: pg.ClientConfig;
}

export interface QueryOptions {
  name?: string;
  what?: string;
}

// Lower case only: search_path folds an unquoted name to lower case, so "Hooks"
// would be created quoted by migrate and then never found.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Splits `?schema=name` off a postgres:// URL (pg would pass unknown
 * parameters to the server) and turns it into a search_path set at
 * connection start, so every pooled connection, including the LISTEN one,
 * works in that schema without a per-query prefix.
 */
export function clientConfigFor(databaseUrl: string, opts: PostgresOptions = {}): pg.ClientConfig {
  const url = new URL(databaseUrl);
  const schema = opts.schema ?? url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const config: pg.ClientConfig = {
    connectionString: url.toString(),
    // Fail fast while the server is down so API calls answer 503 instead of hanging.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    application_name: 'hookline',
  };
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) {
      throw new HooklineError(
        'CONFIG_INVALID',
        `invalid PostgreSQL schema name: ${schema} (lower-case letters, digits and _ only)`,
      );
    }
    config.options = `-c search_path=${schema}`;
  }
  return config;
}

export function schemaOf(config: pg.ClientConfig): string | null {
  return /search_path=(\S+)/.exec(config.options ?? '')?.[1] ?? null;
}

export function createDb(clientConfig: pg.ClientConfig, poolMax = 10): Db {
  const pool = new pg.Pool({ ...clientConfig, max: poolMax, idleTimeoutMillis: 30_000 });
  // An idle connection that dies (server restart) is dropped by the pool and
  // replaced on next use; without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  async function query<R>(text: string, values: unknown[] = [], opts: QueryOptions = {}): Promise<R[]> {
    try {
      const result = await pool.query(opts.name ? { name: opts.name, text, values } : { text, values });
      return result.rows as R[];
    } catch (err) {
      throw mapPgError(err, opts.what);
    }
  }
  return {
    schema: schemaOf(clientConfig),
    pool,
    clientConfig,
    query,
    async page(s, map) {
      const page = s.finish(await query<Parameters<typeof map>[0]>(s.text, s.values));
      return { items: page.items.map(map), done: page.done };
    },
    async tx(fn, what) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw mapPgError(err, what);
      }
      let broken: Error | undefined;
      // The pool listens for errors on idle connections only. One that dies
      // between two statements of this transaction (a server restart) emits
      // 'error' here; unheard, that would crash the process. The next
      // statement fails, and the connection is not returned to the pool.
      const onError = (e: Error) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(async <R>(text: string, values: unknown[] = []) => {
          return (await client.query(text, values)).rows as R[];
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e; // the connection is gone: do not return it to the pool
        });
        throw mapPgError(err, what);
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
  };
}
