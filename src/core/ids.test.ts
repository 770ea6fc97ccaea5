import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { hasPrefix, idFloor, idRun, idRunSql, idTime, newId } from './ids.js';

describe('ids', () => {
  it('sort in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId('msg', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => hasPrefix(id, 'msg'))).toBe(true);
  });

  it('never go backwards when the clock does', () => {
    const a = newId('msg', 1_800_000_000_000);
    const b = newId('msg', 1_700_000_000_000);
    expect(b > a).toBe(true);
  });

  it('idFloor is below every id made at or after that time', () => {
    const floor = idFloor('msg', Date.now());
    expect(newId('msg') >= floor).toBe(true);
  });

  it('idTime reads back the time an id (or a floor) was made at', () => {
    for (const ms of [0, 1, 1_764_419_521_123, 2 ** 47]) {
      expect(idTime(idFloor('atmpt', ms))).toBe(ms);
    }
    // newId is monotonic within the process: its time is at least the one asked for.
    const now = Date.now();
    expect(idTime(newId('atmpt', now))).toBeGreaterThanOrEqual(now);
  });

  it('a run numbered in SQL gives ids of the same format, in order, the last part counting from base', () => {
    const db = new Database(':memory:');
    const ms = 1_764_419_521_123;
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const base62 = (n: number) =>
      Array.from({ length: 7 }, (_, k) => alphabet[Math.floor(n / 62 ** (6 - k)) % 62]).join('');
    for (let i = 0; i < 50; i++) {
      const { head, base } = idRun('dlv', ms);
      const ids = db
        .prepare<{ head: string; base: number }, { id: string }>(
          `WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 3)
           SELECT ${idRunSql('$head', '$base', 'n')} AS id FROM n ORDER BY n`,
        )
        .all({ head, base })
        .map((r) => r.id);
      expect(ids).toEqual([1, 2, 3].map((n) => head + base62(base + n)));
      expect(ids.every((id) => hasPrefix(id, 'dlv') && idTime(id) === ms)).toBe(true);
      expect([...ids].sort()).toEqual(ids);
    }
    // The largest base still leaves 2^32 ids within the 7 characters.
    expect(base62(2 ** 40 - 1)).toHaveLength(7);
    db.close();
  });
});
