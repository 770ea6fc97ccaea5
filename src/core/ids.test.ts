import { describe, expect, it } from 'vitest';
import { hasPrefix, idFloor, idTime, newId } from './ids.js';

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
});
