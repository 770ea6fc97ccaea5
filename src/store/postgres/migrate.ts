import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { mapPgError } from './errors.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Numbered files (`001_name.sql`, ...) in order. */
function migrationFiles(): { version: number; name: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((name) => ({
      version: Number.parseInt(name, 10),
      name,
      sql: readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8'),
    }));
}

/**
 * Applies pending migrations. Many processes may start at once (a deploy
 * rolls out ten workers): a session advisory lock keyed on the schema makes
 * them take turns, and each one after the first finds nothing left to do.
 * Runs on its own connection because advisory locks belong to a session.
 */
export async function migrate(config: pg.ClientConfig, schema: string | null): Promise<void> {
  const client = new pg.Client(config);
  client.on('error', () => {}); // surfaced by the failing query instead
  try {
    await client.connect();
    const target = schema ?? (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`hookline.migrate.${target ?? ''}`]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of migrationFiles()) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
    // Ending the session releases the advisory lock too; unlocking first frees the next process sooner.
    await client.query('SELECT pg_advisory_unlock_all()');
  } catch (err) {
    throw mapPgError(err, 'migration');
  } finally {
    await client.end().catch(() => {});
  }
}
