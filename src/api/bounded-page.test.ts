import { describe, expect, it } from 'vitest';
import type { Page, PageQuery } from '../store/store.js';
import { boundedPage, itemsWithinBudget } from './bounded-page.js';

interface Item {
  id: string;
  size: number;
}

/** Newest-first keyset list over an array, as the stores list messages; records each read's limit. */
function list(items: Item[]) {
  const reads: number[] = [];
  const sorted = [...items].sort((a, b) => (a.id < b.id ? 1 : -1));
  const read = async (page: PageQuery): Promise<Page<Item>> => {
    reads.push(page.limit);
    if (page.before !== undefined) {
      const newer = sorted.filter((i) => i.id > (page.before as string)).reverse();
      const rows = newer.slice(0, page.limit).reverse();
      return { items: rows, done: newer.length <= page.limit };
    }
    const older = sorted.filter((i) => page.after === undefined || i.id < page.after);
    return { items: older.slice(0, page.limit), done: older.length <= page.limit };
  };
  return { read, reads, sorted };
}

const ids = (items: Item[]) => items.map((i) => i.id);
const make = (n: number, size: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ id: `m${String(i).padStart(4, '0')}`, size: size(i) }));
const budget = { maxBytes: 1000, maxItemBytes: 100 };

describe('boundedPage', () => {
  it('ends a page of large items once the budget is spent, and reading on returns each item once', async () => {
    const store = list(make(40, () => 100));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await boundedPage(
        store.read,
        after === undefined ? { limit: 250 } : { limit: 250, after },
        (i) => i.id,
        (i) => i.size,
        budget,
      );
      expect(page.items.reduce((n, i) => n + i.size, 0)).toBeLessThanOrEqual(budget.maxBytes);
      expect(page.items.length).toBeGreaterThan(0);
      seen.push(...ids(page.items));
      if (page.done) break;
      after = page.items[page.items.length - 1]?.id;
    }
    expect(seen).toEqual(ids(store.sorted));
    // No single read could bring more than the budget.
    expect(Math.max(...store.reads)).toBeLessThanOrEqual(itemsWithinBudget(budget));
  });

  it('fills a page of small items to its limit, in reads a budget of largest items long', async () => {
    const store = list(make(300, () => 3));
    const page = await boundedPage(
      store.read,
      { limit: 250 },
      (i) => i.id,
      (i) => i.size,
      budget,
    );
    expect(ids(page.items)).toEqual(ids(store.sorted.slice(0, 250)));
    expect(page.done).toBe(false);
    expect(store.reads.every((n) => n <= 10)).toBe(true);
  });

  it('says done on the last page, even when it ends on the budget', async () => {
    const store = list(make(10, () => 100));
    const page = await boundedPage(
      store.read,
      { limit: 250 },
      (i) => i.id,
      (i) => i.size,
      budget,
    );
    expect(page.items).toHaveLength(10);
    expect(page.done).toBe(true);
  });

  it('always returns one item, however large', async () => {
    const store = list(make(3, () => 5000));
    const page = await boundedPage(
      store.read,
      { limit: 50 },
      (i) => i.id,
      (i) => i.size,
      budget,
    );
    expect(page.items).toHaveLength(1);
    expect(page.done).toBe(false);
  });

  it('reads backwards (before) towards the front, in list order', async () => {
    const store = list(make(40, () => 100));
    const cursor = store.sorted[35]?.id as string;
    const page = await boundedPage(
      store.read,
      { limit: 250, before: cursor },
      (i) => i.id,
      (i) => i.size,
      budget,
    );
    expect(ids(page.items)).toEqual(ids(store.sorted.slice(25, 35)));
    expect(page.done).toBe(false);
  });
});
