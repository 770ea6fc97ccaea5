import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FIXTURE_SCHEMA, type Manifest } from '../fixtures/upgrade/manifest.js';
import { BASE_URL, createTestSchema } from '../helpers/postgres.js';

/**
 * Restores a checked-in upgrade fixture (test/fixtures/upgrade/<backend>) into
 * a fresh database, exactly as the old code left it: no Hookline code runs
 * here, so the current code's openStore is the first to see it (and migrate it).
 */
const fixtureDir = new URL('../fixtures/upgrade/', import.meta.url);

export function readFixture(backend: Manifest['backend']): { dump: string; manifest: Manifest } {
  const dir = new URL(`${backend}/`, fixtureDir);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as Manifest;
  return { dump: readFileSync(new URL('dump.sql', dir), 'utf8'), manifest: withAddedFields(manifest) };
}

/**
 * The fixture's snapshot as the current code reads the same rows: fields
 * added to the records since the fixture was made, at the value a migration
 * gives old rows (008: a message not expunged, an event type not validating).
 */
function withAddedFields(m: Manifest): Manifest {
  const s = m.snapshot;
  return {
    ...m,
    snapshot: {
      ...s,
      eventTypes: s.eventTypes.map((et) => ({ ...et, validateSchema: false })),
      messages: s.messages.map((x) => ({ ...x, message: { ...x.message, expungedAt: null } })),
    },
  };
}

export interface Restored {
  /** What openStore takes. */
  url: string;
  drop(): Promise<void>;
}

/** A new SQLite file holding the `sqlite3 .dump` text. */
export function restoreSqlite(dump: string): Restored {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-upgrade-'));
  const file = join(dir, 'upgraded.db');
  const db = new Database(file);
  try {
    db.exec(dump);
  } finally {
    db.close();
  }
  return { url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A new, uniquely named schema holding the pg_dump text. The dump names the
 * schema it was taken from (FIXTURE_SCHEMA) in every statement; each run
 * renames it, so runs never share or collide. psql meta-commands
 * (`\restrict`, which newer pg_dump writes) are dropped: the driver runs SQL only.
 */
export async function restorePostgres(dump: string): Promise<Restored> {
  const schema = await createTestSchema('upgrade');
  try {
    await schema.sql(`DROP SCHEMA "${schema.schema}"`); // the dump creates it
    const sql = dump
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n')
      .replace(new RegExp(`\\b${FIXTURE_SCHEMA}\\b`, 'g'), schema.schema);
    const client = new pg.Client({ connectionString: BASE_URL });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => {});
    }
  } catch (err) {
    await schema.drop();
    throw err;
  }
  return { url: schema.url, drop: () => schema.drop() };
}
