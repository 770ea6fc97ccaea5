import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUND_LIMIT, type Db, openDatabase } from '../../src/store/sqlite/db.js';

const SQLITE_SRC = fileURLToPath(new URL('../../src/store/sqlite/', import.meta.url));

describe('SQLite: a LIMIT bound at run time (db.ts BOUND_LIMIT)', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let n = 1; n <= 10; n++) insert.run(n);
  });
  afterAll(() => db.close());

  it('limits one prepared statement by whatever is bound on each call', () => {
    const first = db.prepare<[number, number], { n: number }>(
      `SELECT n FROM t WHERE n > ? ORDER BY n ${BOUND_LIMIT}`,
    );
    expect(first.all(0, 3).map((r) => r.n)).toEqual([1, 2, 3]);
    expect(first.all(4, 1).map((r) => r.n)).toEqual([5]);
    expect(first.all(0, 0)).toEqual([]);
    expect(first.all(8, 5).map((r) => r.n)).toEqual([9, 10]);
  });

  it('is how every statement of the SQLite store binds a LIMIT (a bare `LIMIT ?` is planned again on every call)', () => {
    const bare: string[] = [];
    for (const file of readdirSync(SQLITE_SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(join(SQLITE_SRC, file), 'utf8');
      for (const [i, line] of text.split('\n').entries())
        if (!/^\s*(\*|\/\/)/.test(line) && /LIMIT\s+\?(?!\s*\+\s*0)/i.test(line))
          bare.push(`${file}:${i + 1}: ${line.trim()}`);
    }
    expect(bare).toEqual([]);
  });
});
