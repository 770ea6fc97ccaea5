import { HooklineError } from '../core/errors.js';
import { createSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

/**
 * Opens the store a database URL names, with migrations applied:
 * `sqlite:./file.db`, `sqlite::memory:`, or `postgres://...`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    return createSqliteStore(path === ':memory:' ? ':memory:' : path);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new HooklineError('CONFIG_INVALID', 'the PostgreSQL store is not available in this build');
  }
  throw new HooklineError('CONFIG_INVALID', `unsupported database URL: ${databaseUrl}`);
}
