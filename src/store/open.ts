import { HooklineError } from '../core/errors.js';
import { openPostgresStore, type PostgresOptions } from './postgres/index.js';
import { createSqliteStore } from './sqlite/index.js';
import type { FieldCipher } from './rows.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema to keep tables in (also `?schema=name` in the URL). */
  schema?: string;
  /** PostgreSQL only: connections per process (default 10). */
  poolMax?: number;
  /**
   * Seals endpoint secrets and header values at rest (core/secret-box.ts);
   * without one they are written in clear text, and sealed rows cannot be read.
   */
  cipher?: FieldCipher;
}

/**
 * Opens the store a database URL names, with migrations applied:
 * `sqlite:./file.db`, `sqlite::memory:`, or `postgres://...` (`postgresql://`
 * too; `?schema=name` selects a schema).
 */
export async function openStore(databaseUrl: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    return createSqliteStore(databaseUrl.slice('sqlite:'.length), opts.cipher ?? null);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pgOpts: PostgresOptions = {};
    if (opts.schema !== undefined) pgOpts.schema = opts.schema;
    if (opts.poolMax !== undefined) pgOpts.poolMax = opts.poolMax;
    return openPostgresStore(databaseUrl, pgOpts, opts.cipher ?? null);
  }
  throw new HooklineError('CONFIG_INVALID', `unsupported database URL: ${databaseUrl}`);
}
