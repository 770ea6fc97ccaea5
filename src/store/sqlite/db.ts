import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HooklineError, conflict, notFound } from '../../core/errors.js';

export type Db = Database.Database;

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Opens the file (or `:memory:`) with the pragmas Hookline relies on. */
export function openDatabase(path: string): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    // Say which file, once, without a stack: a missing directory or no permission is the operator's to fix.
    throw new HooklineError(
      'STORE_UNAVAILABLE',
      `cannot open SQLite database ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  // WAL lets readers (API lists) run beside the writer; NORMAL sync is durable
  // across process crashes (not power loss mid-checkpoint), the usual WAL trade.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies numbered migrations (`001_name.sql`, ...) not yet recorded, each in its own transaction. */
export function migrate(db: Db): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort();
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    if (applied.has(version)) continue;
    const sql = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        version,
        Date.now(),
      );
    }).immediate();
  }
}

/** Maps SQLite failures to stable codes; uniqueness becomes CONFLICT with `what` in the message. */
export function mapSqliteError(err: unknown, what = 'record'): never {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    throw conflict(`${what} already exists`);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw notFound('the record this refers to');
  if (
    code?.startsWith('SQLITE_BUSY') ||
    code === 'SQLITE_CANTOPEN' ||
    code?.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_READONLY'
  ) {
    throw new HooklineError('STORE_UNAVAILABLE', `database unavailable: ${code}`, { cause: err });
  }
  throw err;
}

// ---- row helpers ---------------------------------------------------------------
export const toDate = (ms: number): Date => new Date(ms);
export const toDateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
export const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
