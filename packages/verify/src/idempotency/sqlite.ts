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
    `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
  );
  const table = t.split('.').pop()!;
  // An existing row is taken over only once it has expired (a dead claim or a forgotten completion).
  const claim = db.prepare(
    `INSERT INTO ${t} (key, state, expires_at) VALUES (?, 'pending', ?)
     ON CONFLICT (key) DO UPDATE SET state = 'pending', expires_at = excluded.expires_at
     WHERE ${table}.expires_at <= ?`,
  );
  const stateOf = db.prepare(`SELECT state FROM ${t} WHERE key = ?`);
  const complete = db.prepare(
    `INSERT INTO ${t} (key, state, expires_at) VALUES (?, 'done', ?)
     ON CONFLICT (key) DO UPDATE SET state = 'done', expires_at = excluded.expires_at`,
  );
  const release = db.prepare(`DELETE FROM ${t} WHERE key = ? AND state = 'pending'`);
  const prune = db.prepare(`DELETE FROM ${t} WHERE expires_at <= ?`);

  return {
    async claim(key, lockMs): Promise<ClaimState> {
      const now = Date.now();
      if (claim.run(key, now + lockMs, now).changes === 1) return 'claimed';
      const row = stateOf.get(key) as { state: string } | undefined;
      return row?.state === 'done' ? 'completed' : 'in_progress';
    },
    async complete(key, retentionMs) {
      complete.run(key, Date.now() + retentionMs);
    },
    async release(key) {
      release.run(key);
    },
    /** Deletes expired rows; claims never depend on it, it only bounds the table. */
    async prune() {
      return prune.run(Date.now()).changes;
    },
  };
}
