import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HooklineError, conflict, notFound } from '../../core/errors.js';
import { type IdPrefix, newId } from '../../core/ids.js';
import type { ListStatement } from '../lists.js';
import { migrationsFor } from '../migrations.js';
import type { Page } from '../store.js';

export type Db = Database.Database;

/**
 * A LIMIT bound at run time. SQLite plans with a bound LIMIT's value, so a
 * statement with `LIMIT ?` is prepared again whenever that parameter is bound,
 * and better-sqlite3 binds on every call: each claim planned its lease and due
 * queries afresh (6-7 us a call, as much as preparing them). `? + 0` is no
 * integer to the planner, so the plan is made once; every such plan here walks
 * an index and stops at the limit, whatever its value (EXPLAIN QUERY PLAN
 * showed the same plans both ways).
 */
export const BOUND_LIMIT = 'LIMIT ? + 0';

/**
 * The database holds endpoint secrets (sealed, but with the key often beside
 * it) and delivery payloads: only its owner may read it. A new file is made
 * 0600 before SQLite opens it, and SQLite gives its -wal and -shm files the
 * database file's mode. An existing file (an older version made them 0644)
 * loses its bits for others; group bits an operator set on purpose stay.
 */
function restrictFileModes(path: string): void {
  if (path === ':memory:' || path === '') return;
  if (!existsSync(path)) {
    closeSync(openSync(path, 'wx', 0o600));
    return;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o007) !== 0) chmodSync(file, mode & ~0o007);
  }
}

/** Opens the file (or `:memory:`) with the pragmas Hookline relies on. */
export function openDatabase(path: string): Db {
  let db: Db;
  try {
    restrictFileModes(path);
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
  // The id format of core/ids.ts inside SQL, as PostgreSQL's hookline_new_id
  // (003_new_id_format.pg.sql): deliveries are routed and inserted in one statement.
  db.function('hookline_new_id', { deterministic: false }, (prefix, ms) =>
    newId(String(prefix) as IdPrefix, Number(ms)),
  );
  return db;
}

/**
 * Applies the numbered migrations (migrations.ts) not yet recorded, each in
 * its own transaction. schema_migrations has the same columns as on
 * PostgreSQL; files made before 007 kept no name, and get one here.
 */
export function migrate(db: Db): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', applied_at INTEGER NOT NULL)`,
  );
  const columns = db.prepare('PRAGMA table_info(schema_migrations)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'name')) {
    db.exec("ALTER TABLE schema_migrations ADD COLUMN name TEXT NOT NULL DEFAULT ''");
  }
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const m of migrationsFor('sqlite')) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
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

/** Runs a list statement (lists.ts) and maps the page's rows. */
export function readPage<R, T>(db: Db, s: ListStatement, map: (row: R) => T): Page<T> {
  const page = s.finish(db.prepare<unknown[], R>(s.text).all(...s.values));
  return { items: page.items.map(map), done: page.done };
}
