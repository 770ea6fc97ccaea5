import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/sqlite/db.js';
import { groupCommit, writeEach } from '../../src/store/sqlite/group-commit.js';

describe('SQLite: several writes in one transaction, each with its own outcome', () => {
  let dir: string;
  let db: Db;
  let written: string[];
  /** Two rows per item, the second refused for an item named `bad`: a failure after a partial write. */
  let write: (name: string) => number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-group-commit-'));
    db = openDatabase(join(dir, 'g.db'));
    db.exec('CREATE TABLE t (name TEXT NOT NULL, part INTEGER NOT NULL CHECK (part < 2))');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    written = [];
    write = (name) => {
      written.push(name);
      insert.run(name, 0);
      insert.run(name, name.startsWith('bad') ? 2 : 1);
      return name.length;
    };
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = () => db.prepare('SELECT name, part FROM t ORDER BY rowid').all();

  it('writes each item once when none fails', () => {
    expect(writeEach(db, write)(['a', 'bb'])).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 2 },
    ]);
    expect(written).toEqual(['a', 'bb']);
    expect(rows()).toHaveLength(4);
  });

  it('an item that fails halfway leaves nothing behind, and the others commit', () => {
    const outcomes = writeEach(db, write)(['a', 'bad', 'ccc']);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_CHECK' } });
    expect(rows()).toEqual([
      { name: 'a', part: 0 },
      { name: 'a', part: 1 },
      { name: 'ccc', part: 0 },
      { name: 'ccc', part: 1 },
    ]);
    // The first pass stopped at the failure and was rolled back; the second wrote each item again.
    expect(written).toEqual(['a', 'bad', 'a', 'bad', 'ccc']);
  });

  it('an error the items do not own rolls back all of them and is thrown', () => {
    const isOwn = (_: unknown, name: string) => name !== 'bad-for-all';
    expect(() => writeEach(db, write, isOwn)(['a', 'bad-for-all', 'ccc'])).toThrow(/CHECK constraint/);
    expect(rows()).toEqual([]);
  });

  it('a failed COMMIT stores nothing and is thrown, without writing the items again', () => {
    db.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY);
      CREATE TABLE child (parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const insert = db.prepare('INSERT INTO child VALUES (?)');
    const orphan = (name: string) => {
      written.push(name);
      return insert.run(name).changes; // the statement passes; the deferred key fails the COMMIT
    };
    expect(() => writeEach(db, orphan)(['a', 'b'])).toThrow(/FOREIGN KEY constraint/);
    expect(written).toEqual(['a', 'b']);
    expect(db.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 0 });
  });

  it('an error that ends the transaction (a full disk) fails every item, and none is stored', () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`); // a full disk: SQLITE_FULL, and SQLite rolls back
    const insert = db.prepare('INSERT INTO t VALUES (?, 0)');
    const fill = (name: string) => {
      written.push(name);
      return insert.run(name === 'big' ? 'x'.repeat(100_000) : name).changes;
    };
    expect(() => writeEach(db, fill)(['a', 'big', 'c'])).toThrow(/full/);
    // Written once: a second pass would fail the same way. 'c' never ran on its own.
    expect(written).toEqual(['a', 'big']);
    expect(rows()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it('the same error in the second pass (after an item of its own failed) fails them all too', () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    const fill = (name: string) => {
      written.push(name);
      insert.run(name === 'big' ? 'x'.repeat(100_000) : name, name === 'bad' ? 2 : 0);
      return name.length;
    };
    expect(() => writeEach(db, fill)(['bad', 'big', 'c'])).toThrow(/full/);
    expect(written).toEqual(['bad', 'bad', 'big']);
    expect(rows()).toEqual([]);
  });

  it('hands all items of one transaction the same shared map, and each transaction (and pass) a new one', () => {
    const seen: [string, unknown][] = [];
    const remember = (name: string, shared: Map<string, unknown>) => {
      seen.push([name, shared]);
      return write(name);
    };
    writeEach(db, remember)(['a', 'bb']);
    writeEach(db, remember)(['c', 'bad', 'dd']);
    const [a, bb, c, bad, c2, bad2, dd] = seen.map(([, shared]) => shared);
    expect(seen.map(([name]) => name)).toEqual(['a', 'bb', 'c', 'bad', 'c', 'bad', 'dd']);
    expect(bb).toBe(a);
    expect(c).not.toBe(a); // the next call
    expect(bad).toBe(c);
    expect(c2).not.toBe(c); // the second pass, after 'bad' failed
    expect(bad2).toBe(c2);
    expect(dd).toBe(c2);
  });

  it('group commit: calls of one turn share a transaction and each settles with its own outcome', async () => {
    const commit = groupCommit(db, write);
    const settled = await Promise.allSettled(['a', 'bad', 'ccc'].map(commit));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 3 });
    expect(rows()).toHaveLength(4);
  });
});
