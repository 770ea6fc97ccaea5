import type { Params } from './dialect.js';
import type { Page, PageQuery } from './store.js';

/**
 * Keyset pagination over one unique column, for both backends. `asc` lists go
 * up from `after`, `desc` lists go down; `before` reads the page preceding a
 * cursor, so we query in the opposite direction and reverse. One extra row
 * tells whether more follow. Placeholders come from `p`, in the order the
 * fragments are used: `where` before `limit`.
 */
export function keyset(column: string, order: 'asc' | 'desc', page: PageQuery, p: Params) {
  const backwards = page.before !== undefined;
  const cursor = page.before ?? page.after;
  const ascending = (order === 'asc') !== backwards;
  return {
    where: cursor === undefined ? p.dialect.always : `${column} ${ascending ? '>' : '<'} ${p.add(cursor)}`,
    orderBy: `${column} ${ascending ? 'ASC' : 'DESC'}`,
    limit: p.add(page.limit + 1),
    finish<T>(rows: T[]): Page<T> {
      const items = rows.slice(0, page.limit);
      if (backwards) items.reverse();
      return { items, done: rows.length <= page.limit };
    },
  };
}
