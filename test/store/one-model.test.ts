import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PAIRED, migrationsFor } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';

/**
 * One data model, two dialects: after migrating, both backends hold the same
 * tables with the same columns, the same indexes and the same triggers, and
 * every migration from FIRST_PAIRED on is written for both.
 */
const available = await postgresAvailable();

describe('migrations', () => {
  it('come in pairs from the first paired number on, one number one change', () => {
    const files = readdirSync(new URL('../../src/store/migrations/', import.meta.url));
    const sqlite = migrationsFor('sqlite');
    const pg = migrationsFor('postgres');
    expect(sqlite.length + pg.length).toBe(files.filter((f) => f.endsWith('.sql')).length);
    const paired = (ms: typeof sqlite) => ms.filter((m) => m.version >= FIRST_PAIRED).map((m) => m.name);
    expect(paired(sqlite).length).toBeGreaterThan(0);
    expect(paired(sqlite)).toEqual(paired(pg));
    expect(sqlite.map((m) => m.version)).toEqual(pg.map((m) => m.version));
  });
});

type Shape = { tables: Record<string, string[]>; indexes: string[]; triggers: string[] };

function sqliteShape(path: string): Shape {
  const db = new Database(path, { readonly: true });
  try {
    const names = (type: string) =>
      (
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")
          .all(type) as { name: string }[]
      ).map((r) => r.name);
    const tables: Record<string, string[]> = {};
    for (const t of names('table')) {
      tables[t] = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[])
        .map((c) => c.name)
        .sort();
    }
    return { tables, indexes: names('index'), triggers: names('trigger') };
  } finally {
    db.close();
  }
}

async function postgresShape(schema: TestSchema): Promise<Shape> {
  const cols = await schema.sql<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  const tables: Record<string, string[]> = {};
  for (const { t, c } of cols) {
    tables[t] = [...(tables[t] ?? []), c];
  }
  // Constraint-backed indexes (primary keys, UNIQUE) are sqlite_autoindex_* there, left out on both sides.
  const indexes = await schema.sql<{ name: string }>(
    `SELECT i.indexname AS name FROM pg_indexes i
     WHERE i.schemaname = current_schema()
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)
     ORDER BY 1`,
  );
  const triggers = await schema.sql<{ name: string }>(
    `SELECT DISTINCT trigger_name AS name FROM information_schema.triggers
     WHERE trigger_schema = current_schema() ORDER BY 1`,
  );
  return { tables, indexes: indexes.map((r) => r.name), triggers: triggers.map((r) => r.name) };
}

describe.skipIf(!available)('SQLite and PostgreSQL after migrating', () => {
  let dir: string;
  let schema: TestSchema;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-shape-'));
    schema = await createTestSchema('shape');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  });

  it('have the same tables, columns, indexes and triggers', async () => {
    const file = join(dir, 'shape.db');
    await (await openStore(`sqlite:${file}`)).close();
    await (await openStore(schema.url)).close();
    const lite = sqliteShape(file);
    const pg = await postgresShape(schema);
    expect(Object.keys(lite.tables).sort()).toEqual(Object.keys(pg.tables).sort());
    for (const table of Object.keys(pg.tables))
      expect([table, lite.tables[table]]).toEqual([table, pg.tables[table]]);
    expect(lite.indexes).toEqual(pg.indexes);
    expect(lite.triggers).toEqual(pg.triggers);
    expect(pg.indexes).toEqual(
      expect.arrayContaining([
        'deliveries_due',
        'deliveries_parked_due',
        'deliveries_open',
        'deliveries_sending',
      ]),
    );
    expect(pg.triggers).toEqual(['endpoints_disabling', 'endpoints_parking', 'endpoints_state']);
    expect(pg.tables.deliveries).toContain('due_at');
    expect(pg.tables.deliveries).not.toContain('lease_until');
  });
});
