import type { Page, PageQuery } from '../store.js';

/**
 * Keyset pagination over one unique column. `asc` lists go up from `after`,
 * `desc` lists go down; `before` reads the page preceding a cursor, so we query
 * in the opposite direction and reverse. One extra row tells whether more follow.
 */
export function keyset(column: string, order: 'asc' | 'desc', page: PageQuery) {
  const backwards = page.before !== undefined;
  const cursor = page.before ?? page.after;
  const ascending = (order === 'asc') !== backwards;
  const cmp = ascending ? '>' : '<';
  return {
    where: cursor === undefined ? '1 = 1' : `${column} ${cmp} ?`,
    params: cursor === undefined ? [] : [cursor],
    orderBy: `${column} ${ascending ? 'ASC' : 'DESC'}`,
    limit: page.limit + 1,
    finish<T>(rows: T[]): Page<T> {
      const items = rows.slice(0, page.limit);
      if (backwards) items.reverse();
      return { items, done: rows.length <= page.limit };
    },
  };
}
