import type { ClaimState, IdempotencyStore } from './guard.js';
import { DEFAULT_TABLE, checkTableName } from './sql.js';

/** The part of a better-sqlite3 `Database` this store uses; pass your own instance. */
export interface SqliteDatabaseLike {
  exec(sql: string): unknown;
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number };
    get(...params: unknown[]): unknown;
  };
}

export interface SqlStoreOptions {
  /** Table (created if missing); `schema.table` is allowed. Default `hookline_idempotency`. */
  table?: string;
}

/**
 * A SQLite file shared by the processes of one machine. Each claim is one
 * upsert, which SQLite runs atomically under its write lock. Times are ms since
 * the epoch from the process clock.
 */
export function sqliteStore(
  db: SqliteDatabaseLike,
  options: SqlStoreOptions = {},
): IdempotencyStore & { prune(): Promise<number> } {
  const t = checkTableName(options.table ?? DEFAULT_TABLE);
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at INTEGER NOT NULL, owner TEXT)`,
  );
  const [schema, table] = t.includes('.') ? (t.split('.') as [string, string]) : [undefined, t];
  addOwnerColumn(db, t, table, schema);
  // An existing row is taken over only once it has expired (a dead claim or a forgotten completion).
  const claim = db.prepare(
    `INSERT INTO ${t} (key, state, expires_at, owner) VALUES (?, 'pending', ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = 'pending', expires_at = excluded.expires_at, owner = excluded.owner
     WHERE ${table}.expires_at <= ?`,
  );
  const stateOf = db.prepare(`SELECT state FROM ${t} WHERE key = ?`);
  // Only our own claim, or a row no one holds any more, becomes done: a claim that took over stays.
  const complete = db.prepare(
    `INSERT INTO ${t} (key, state, expires_at, owner) VALUES (?, 'done', ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = 'done', expires_at = excluded.expires_at, owner = excluded.owner
     WHERE ${table}.owner = excluded.owner OR ${table}.expires_at <= ?`,
  );
  const release = db.prepare(`DELETE FROM ${t} WHERE key = ? AND owner = ? AND state = 'pending'`);
  const prune = db.prepare(`DELETE FROM ${t} WHERE expires_at <= ?`);

  return {
    async claim(key, token, lockMs): Promise<ClaimState> {
      const now = Date.now();
      if (claim.run(key, now + lockMs, token, now).changes === 1) return 'claimed';
      const row = stateOf.get(key) as { state: string } | undefined;
      return row?.state === 'done' ? 'completed' : 'in_progress';
    },
    async complete(key, token, retentionMs) {
      const now = Date.now();
      complete.run(key, now + retentionMs, token, now);
    },
    async release(key, token) {
      release.run(key, token);
    },
    /** Deletes expired rows; claims never depend on it, it only bounds the table. */
    async prune() {
      return prune.run(Date.now()).changes;
    },
  };
}

/**
 * Tables created before claims had owners lack the `owner` column: add it once.
 * Old rows keep a NULL owner, which no token matches, so they simply expire.
 */
function addOwnerColumn(db: SqliteDatabaseLike, t: string, table: string, schema: string | undefined): void {
  const hasOwner = () =>
    db
      .prepare(`SELECT 1 FROM pragma_table_info(?${schema === undefined ? '' : ', ?'}) WHERE name = 'owner'`)
      .get(...(schema === undefined ? [table] : [table, schema])) !== undefined;
  if (hasOwner()) return;
  try {
    db.exec(`ALTER TABLE ${t} ADD COLUMN owner TEXT`);
  } catch (error) {
    // Another process added it first.
    if (!hasOwner()) throw error;
  }
}
