import { ValidationError, type ValidationIssue } from '../core/errors.js';
import type { Page, PageQuery } from '../store/store.js';
import { hasNul, NUL, parseTimestamp } from './validate.js';

/**
 * Query-string readers. Values arrive as strings (or arrays when a name
 * repeats); problems are collected with `loc: ['query', name]` and thrown
 * together by `done()`.
 */
export class Query {
  private readonly issues: ValidationIssue[] = [];
  private readonly values: Record<string, unknown>;

  constructor(query: unknown) {
    this.values = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  }

  private fail(name: string, msg: string, type: string): undefined {
    this.issues.push({ loc: ['query', name], msg, type });
    return undefined;
  }

  /** The last value given for `name`, or undefined. */
  string(name: string): string | undefined {
    const v = this.values[name];
    const text = Array.isArray(v) ? (v.length > 0 ? String(v[v.length - 1]) : undefined) : v;
    if (typeof text !== 'string') return undefined;
    if (hasNul(text)) return this.fail(name, NUL.msg, NUL.type);
    return text;
  }

  int(name: string, rules: { min: number; max: number }): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) return this.fail(name, 'expected an integer', 'type_error.integer');
    const n = Number(text);
    if (n < rules.min || n > rules.max) {
      return this.fail(name, `must be from ${rules.min} to ${rules.max}`, 'value_error.number');
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return this.fail(name, 'expected true or false', 'type_error.bool');
  }

  date(name: string): Date | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    return parseTimestamp(text) ?? this.fail(name, 'expected an ISO 8601 timestamp', 'value_error.datetime');
  }

  /** Comma-separated or repeated values (the Svix client joins arrays with commas). */
  list(name: string): string[] | undefined {
    const v = this.values[name];
    const parts = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
      .flatMap((s) => String(s).split(','))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (parts.some(hasNul)) return this.fail(name, NUL.msg, NUL.type);
    return parts.length > 0 ? parts : undefined;
  }

  oneOf<T extends string>(name: string, options: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!options.includes(text as T)) {
      return this.fail(name, `expected one of ${options.join(', ')}`, 'type_error.enum');
    }
    return text as T;
  }

  /**
   * Refuses Svix filters Hookline does not implement, rather than ignoring
   * them and answering with results that look filtered but are not.
   */
  unsupported(...names: string[]): void {
    for (const name of names) {
      if (this.values[name] !== undefined)
        this.fail(name, 'this filter is not supported by Hookline', 'value_error');
    }
  }

  /** `limit` and `iterator` as a store page query. */
  page(): PageQuery {
    const limit = this.int('limit', { min: 1, max: 250 }) ?? 50;
    const iterator = this.string('iterator');
    if (iterator === undefined || iterator === '') return { limit };
    return decodeIterator(limit, iterator);
  }

  done(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/**
 * Iterators are item keys: `key` reads the page after it, `-key` the page
 * before it (Svix prevIterator). A key that itself starts with `-` (event type
 * names may) is written `+key` so the two never collide.
 */
export function decodeIterator(limit: number, iterator: string): PageQuery {
  if (iterator.startsWith('-')) return { limit, before: iterator.slice(1) };
  if (iterator.startsWith('+')) return { limit, after: iterator.slice(1) };
  return { limit, after: iterator };
}

const forward = (key: string): string => (key.startsWith('-') ? `+${key}` : key);

export interface ListOut<O> {
  data: O[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** A store page as a Svix list response. */
export function listOut<T, O>(page: Page<T>, key: (item: T) => string, map: (item: T) => O): ListOut<O> {
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  return {
    data: page.items.map(map),
    iterator: last === undefined ? null : forward(key(last)),
    prevIterator: first === undefined ? null : `-${key(first)}`,
    done: page.done,
  };
}
