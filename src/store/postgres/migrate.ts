import pg from 'pg';
import { migrationsFor } from '../migrations.js';
import { mapPgError } from './errors.js';

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
    for (const m of migrationsFor('postgres')) {
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
