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
    await store.claim('old', 1);
    await store.complete('kept', 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.prune()).toBe(1);
    expect(db.prepare('SELECT key FROM prune_test').all()).toEqual([{ key: 'kept' }]);
  });

  it('refuses table names that are not plain identifiers', () => {
    expect(() => sqliteStore(open(), { table: 'x; DROP TABLE y' })).toThrow(TypeError);
  });
});
