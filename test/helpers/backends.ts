import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { createTestSchema, postgresAvailable } from './postgres.js';

/**
 * Runs a test file's suites on every backend: `forEachBackend(title, (backend)
 * => { ... })` declares `title [sqlite]` and `title [postgres]`, and the body
 * asks `backend.database()` for fresh, empty databases (a file in a temporary
 * directory, or a PostgreSQL schema of its own). Whatever the body does not
 * drop itself is dropped when its suite ends, so a file leaves nothing behind.
 * Without PostgreSQL the postgres suite is skipped with a notice (a failure
 * under HOOKLINE_REQUIRE_SERVICES=1), as in test/helpers/postgres.ts.
 */
export type BackendName = 'sqlite' | 'postgres';
export const BACKENDS: readonly BackendName[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  /** What `--database`, openStore and Config.databaseUrl take. */
  url: string;
  /** Removes the database; idempotent. Close every store on it first. */
  drop(): Promise<void>;
}

export interface Backend {
  readonly name: BackendName;
  /** A fresh, empty database; `label` names the temp dir or schema, for a human looking at leftovers. */
  database(label?: string): Promise<TestDatabase>;
}

function sqliteDatabase(label: string): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), `hookline-${label}-`));
  return {
    url: `sqlite:${join(dir, 'hookline.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresDatabase(label: string): Promise<TestDatabase> {
  const schema = await createTestSchema(label.replace(/[^a-z0-9]/g, '_'));
  let dropping: Promise<void> | undefined;
  return { url: schema.url, drop: () => (dropping ??= schema.drop()) };
}

function backend(name: BackendName): Backend & { dropAll(): Promise<void> } {
  const open = new Set<TestDatabase>();
  return {
    name,
    async database(label = 't') {
      const db = name === 'sqlite' ? sqliteDatabase(label) : await postgresDatabase(label);
      const tracked: TestDatabase = {
        url: db.url,
        drop: async () => {
          open.delete(tracked);
          await db.drop();
        },
      };
      open.add(tracked);
      return tracked;
    },
    async dropAll() {
      await Promise.all([...open].map((db) => db.drop()));
    },
  };
}

// Asked once per file, and only by files that use this helper.
const postgresUp = await postgresAvailable();

/** Declares `title [backend]` for each of `only` (default: every backend). */
export function forEachBackend(
  title: string,
  body: (backend: Backend) => void,
  only: readonly BackendName[] = BACKENDS,
): void {
  for (const name of only) {
    if (name === 'postgres' && !postgresUp) {
      describe.skip(`${title} [postgres] (PostgreSQL not reachable)`, () => {
        it('skipped', () => {});
      });
      continue;
    }
    describe(`${title} [${name}]`, () => {
      const b = backend(name);
      // Registered first, so it runs after the body's own afterAll hooks (which close stores).
      afterAll(() => b.dropAll());
      body(b);
    });
  }
}
