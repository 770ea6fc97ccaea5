import type { Page, PageQuery } from '../store.js';

/** Collects parameters for one statement and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Keyset pagination over one unique column. `asc` lists go up from `after`,
 * `desc` lists go down; `before` reads the page preceding a cursor, so we query
 * in the opposite direction and reverse. One extra row tells whether more follow.
 */
export function keyset(column: string, order: 'asc' | 'desc', page: PageQuery, params: Params) {
  const backwards = page.before !== undefined;
  const cursor = page.before ?? page.after;
  const ascending = (order === 'asc') !== backwards;
  return {
    where: cursor === undefined ? 'true' : `${column} ${ascending ? '>' : '<'} ${params.add(cursor)}`,
    orderBy: `${column} ${ascending ? 'ASC' : 'DESC'}`,
    limit: params.add(page.limit + 1),
    finish<T>(rows: T[]): Page<T> {
      const items = rows.slice(0, page.limit);
      if (backwards) items.reverse();
      return { items, done: rows.length <= page.limit };
    },
  };
}
