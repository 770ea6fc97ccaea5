import { readdirSync, readFileSync } from 'node:fs';

/**
 * Both backends' numbered migrations live in one folder, as pairs written
 * together: `NNN_name.sqlite.sql` and `NNN_name.pg.sql`, one number meaning
 * one change on both sides. Numbers 001-006 predate the pairing and differ in
 * meaning between the backends (they are history: databases in the field have
 * them applied); from FIRST_PAIRED on, every number has both files and the
 * two backends hold the same tables, columns, indexes and triggers.
 */
export const FIRST_PAIRED = 7;

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const SUFFIX = { sqlite: '.sqlite.sql', postgres: '.pg.sql' } as const;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** One backend's migrations in order. */
export function migrationsFor(backend: keyof typeof SUFFIX): Migration[] {
  const suffix = SUFFIX[backend];
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_/.test(f) && f.endsWith(suffix))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file, 10),
      name: file.slice(0, -suffix.length),
      sql: readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'),
    }));
}
