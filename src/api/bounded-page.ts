import type { Page, PageQuery } from '../store/store.js';

/**
 * How much payload one list page carries at most. With 1 MiB payloads a
 * `limit=250` page was 262 MB, built in memory three times over (rows, parsed
 * payloads, the JSON answer), and eight at once took the process to 4.9 GB.
 * A page that reaches this size ends early with `done: false` and its
 * iterator, as any page does, so clients read on as usual.
 */
export const PAGE_PAYLOAD_BYTES = 4 * 1024 * 1024;

export interface PageBudget {
  /** Payload characters a page may carry (at least one item is always returned). */
  maxBytes: number;
  /** The largest one item can be: every payload fits in the body limit it was accepted under. */
  maxItemBytes: number;
}

/** How many items a page may hold without reading one: a budget's worth of the largest possible items. */
export function itemsWithinBudget(budget: PageBudget): number {
  return Math.max(1, Math.floor(budget.maxBytes / budget.maxItemBytes));
}

/**
 * Reads a page through `read` (a store list) in chunks no larger than the
 * budget left could hold if every item were as large as possible, so no more
 * than about `maxBytes` is ever in memory, and ends the page early once the
 * budget is spent. Small items cost more reads (`limit / (maxBytes /
 * maxItemBytes)` of them), never more memory. `key` is the item's store
 * cursor; pages read backwards (`before`) grow towards the front.
 */
export async function boundedPage<T>(
  read: (page: PageQuery) => Promise<Page<T>>,
  page: PageQuery,
  key: (item: T) => string,
  size: (item: T) => number,
  budget: PageBudget,
): Promise<Page<T>> {
  const backwards = page.before !== undefined;
  let cursor = page.before ?? page.after;
  const items: T[] = [];
  let used = 0;
  for (;;) {
    const room = Math.floor((budget.maxBytes - used) / budget.maxItemBytes);
    const limit = Math.min(page.limit - items.length, Math.max(1, room));
    const at: PageQuery = { limit };
    if (cursor !== undefined) at[backwards ? 'before' : 'after'] = cursor;
    const chunk = await read(at);
    // Nearest the cursor first. An item larger than maxItemBytes (accepted
    // under a larger body limit) can overshoot; the page then ends before it.
    const ordered = backwards ? [...chunk.items].reverse() : chunk.items;
    for (const item of ordered) {
      const bytes = size(item);
      if (items.length > 0 && used + bytes > budget.maxBytes) return { items, done: false };
      used += bytes;
      if (backwards) items.unshift(item);
      else items.push(item);
    }
    if (chunk.done) return { items, done: true };
    const edge = backwards ? chunk.items[0] : chunk.items[chunk.items.length - 1];
    // Full page, or no room for another largest-possible item: the client reads on with the iterator.
    if (edge === undefined || items.length >= page.limit || budget.maxBytes - used < budget.maxItemBytes) {
      return { items, done: false };
    }
    cursor = key(edge);
  }
}
