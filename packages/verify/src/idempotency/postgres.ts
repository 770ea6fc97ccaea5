import type { ClaimState, IdempotencyStore } from './guard.js';
import { DEFAULT_TABLE, checkTableName } from './sql.js';
import type { SqlStoreOptions } from './sqlite.js';

/** The part of a `pg` Pool or Client this store uses; pass your own instance. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * PostgreSQL, shared by any number of processes: the primary key makes one
 * claim win, and expiry uses the database clock so app servers' clocks do not matter.
 */
export function postgresStore(
  client: PgQueryable,
  options: SqlStoreOptions = {},
): IdempotencyStore & { setup(): Promise<void>; prune(): Promise<number> } {
  const t = checkTableName(options.table ?? DEFAULT_TABLE);
  let ready: Promise<void> | undefined;

  async function setup(): Promise<void> {
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${t} (key text PRIMARY KEY, state text NOT NULL, expires_at timestamptz NOT NULL, owner text)`,
      );
    } catch (error) {
      // Two processes creating the table at once: the loser sees a duplicate, the table exists.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw error;
    }
    // Tables created before claims had owners get the column once. Checked first, because
    // ALTER TABLE locks the table even when there is nothing to add. Old rows keep a NULL
    // owner, which no token matches, so they simply expire.
    const found = await client.query(
      `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'owner' AND NOT attisdropped`,
      [t],
    );
    if (found.rows.length > 0) return;
    try {
      await client.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS owner text`);
    } catch (error) {
      // Another process added it at the same moment.
      if ((error as { code?: string }).code !== '42701') throw error;
    }
  }
  const ensure = () => {
    ready ??= setup().catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  return {
    setup: ensure,
    async claim(key, token, lockMs): Promise<ClaimState> {
      await ensure();
      const claimed = await client.query(
        `INSERT INTO ${t} AS i (key, state, expires_at, owner)
         VALUES ($1, 'pending', now() + $2::double precision * interval '1 millisecond', $3)
         ON CONFLICT (key) DO UPDATE SET state = 'pending', expires_at = EXCLUDED.expires_at, owner = EXCLUDED.owner
         WHERE i.expires_at <= now()
         RETURNING 1`,
        [key, lockMs, token],
      );
      if (claimed.rows.length === 1) return 'claimed';
      const found = await client.query(`SELECT state FROM ${t} WHERE key = $1`, [key]);
      return (found.rows[0] as { state: string } | undefined)?.state === 'done' ? 'completed' : 'in_progress';
    },
    async complete(key, token, retentionMs) {
      await ensure();
      // Only our own claim, or a row no one holds any more, becomes done: a claim that took over stays.
      await client.query(
        `INSERT INTO ${t} AS i (key, state, expires_at, owner)
         VALUES ($1, 'done', now() + $2::double precision * interval '1 millisecond', $3)
         ON CONFLICT (key) DO UPDATE SET state = 'done', expires_at = EXCLUDED.expires_at, owner = EXCLUDED.owner
         WHERE i.owner = EXCLUDED.owner OR i.expires_at <= now()`,
        [key, retentionMs, token],
      );
    },
    async release(key, token) {
      await ensure();
      await client.query(`DELETE FROM ${t} WHERE key = $1 AND owner = $2 AND state = 'pending'`, [
        key,
        token,
      ]);
    },
    /** Deletes expired rows; claims never depend on it, it only bounds the table. */
    async prune() {
      await ensure();
      return (await client.query(`DELETE FROM ${t} WHERE expires_at <= now() RETURNING 1`)).rows.length;
    },
  };
}
