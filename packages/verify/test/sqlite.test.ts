import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '@hookline/verify';
import { idempotencyStoreSuite } from './store-suite.js';

describe('SQLite store (a real file, one connection per simulated process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-verify-'));
  const file = join(dir, 'idempotency.db');
  const connections: Database.Database[] = [];
  const open = () => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    connections.push(db);
    return db;
  };
  afterAll(() => {
    for (const db of connections) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  idempotencyStoreSuite(() => sqliteStore(open(), { table: 'webhook_ids' }));

  it('prunes expired rows', async () => {
    const db = open();
    const store = sqliteStore(db, { table: 'prune_test' });
    await store.claim('old', 't1', 1);
    await store.complete('kept', 't2', 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.prune()).toBe(1);
    expect(db.prepare('SELECT key FROM prune_test').all()).toEqual([{ key: 'kept' }]);
  });

  it('adds the owner column to a table created before claims had owners', async () => {
    const db = open();
    db.exec(
      'CREATE TABLE old_layout (key TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
    const later = Date.now() + 60_000;
    db.prepare(
      "INSERT INTO old_layout VALUES ('done-before', 'done', ?), ('pending-before', 'pending', ?)",
    ).run(later, later);
    const store = sqliteStore(db, { table: 'old_layout' });
    sqliteStore(open(), { table: 'old_layout' }); // a second process finds the column already there
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('old_layout');
    expect(columns).toContainEqual({ name: 'owner' });
    expect(await store.claim('done-before', 't1', 1000)).toBe('completed');
    // A claim of the old version has no owner: no token releases it, it expires.
    await store.release('pending-before', 't1');
    expect(await store.claim('pending-before', 't1', 1000)).toBe('in_progress');
    expect(await store.claim('new', 't1', 1000)).toBe('claimed');
    await store.complete('new', 't1', 1000);
    expect(await store.claim('new', 't2', 1000)).toBe('completed');
  });

  it('refuses table names that are not plain identifiers', () => {
    expect(() => sqliteStore(open(), { table: 'x; DROP TABLE y' })).toThrow(TypeError);
  });
});
