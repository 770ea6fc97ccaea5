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
        `CREATE TABLE IF NOT EXISTS ${t} (key text PRIMARY KEY, state text NOT NULL, expires_at timestamptz NOT NULL)`,
      );
    } catch (error) {
      // Two processes creating the table at once: the loser sees a duplicate, the table exists.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw error;
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
    async claim(key, lockMs): Promise<ClaimState> {
      await ensure();
      const claimed = await client.query(
        `INSERT INTO ${t} AS i (key, state, expires_at)
         VALUES ($1, 'pending', now() + $2::double precision * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET state = 'pending', expires_at = EXCLUDED.expires_at
         WHERE i.expires_at <= now()
         RETURNING 1`,
        [key, lockMs],
      );
      if (claimed.rows.length === 1) return 'claimed';
      const found = await client.query(`SELECT state FROM ${t} WHERE key = $1`, [key]);
      return (found.rows[0] as { state: string } | undefined)?.state === 'done' ? 'completed' : 'in_progress';
    },
    async complete(key, retentionMs) {
      await ensure();
      await client.query(
        `INSERT INTO ${t} AS i (key, state, expires_at)
         VALUES ($1, 'done', now() + $2::double precision * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET state = 'done', expires_at = EXCLUDED.expires_at`,
        [key, retentionMs],
      );
    },
    async release(key) {
      await ensure();
      await client.query(`DELETE FROM ${t} WHERE key = $1 AND state = 'pending'`, [key]);
    },
    /** Deletes expired rows; claims never depend on it, it only bounds the table. */
    async prune() {
      await ensure();
      return (await client.query(`DELETE FROM ${t} WHERE expires_at <= now() RETURNING 1`)).rows.length;
    },
  };
}
