/**
 * What differs between the two backends' SQL, beyond the statements
 * themselves: placeholders, how values are bound, and the two list
 * predicates that SQLite spells with json_each and PostgreSQL with arrays.
 * Everything that builds SQL from parts (paging, filters) is written once
 * against this.
 */
export interface Dialect {
  /** The n-th (1-based) parameter's placeholder. */
  placeholder(n: number): string;
  /** A condition that is always true. */
  readonly always: string;
  /** How booleans, times and text lists are bound. */
  bool(value: boolean): unknown;
  time(value: Date): unknown;
  list(value: readonly string[] | null): unknown;
  /** `column` is one of `values` (a text column). */
  oneOf(p: Params, column: string, values: readonly string[]): string;
  /** The text list in `column` holds `value`. */
  holds(p: Params, column: string, value: string): string;
}

/** Collects one statement's parameters and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(readonly dialect: Dialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

export const sqliteDialect: Dialect = {
  placeholder: () => '?',
  always: '1 = 1',
  bool: (v) => (v ? 1 : 0),
  time: (v) => v.getTime(),
  list: (v) => (v === null ? null : JSON.stringify(v)),
  oneOf: (p, column, values) => `${column} IN (${values.map((v) => p.add(v)).join(', ')})`,
  holds: (p, column, value) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${p.add(value)})`,
};

export const postgresDialect: Dialect = {
  placeholder: (n) => `$${n}`,
  always: 'true',
  bool: (v) => v,
  time: (v) => v,
  list: (v) => v,
  oneOf: (p, column, values) => `${column} = ANY (${p.add(values)}::text[])`,
  holds: (p, column, value) => `${p.add(value)}::text = ANY (${column})`,
};
