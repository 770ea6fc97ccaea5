import { ValidationError, type ValidationIssue } from '../core/errors.js';

/**
 * Hand-written validation: a body is read field by field, every problem is
 * collected with its `loc`, and `done()` throws one 422 listing all of them.
 * Small readers beat JSON-schema here because the rules (URLs, reserved
 * headers, secrets) are code anyway, and the messages stay ours.
 *
 * Readers return `undefined` when a field is absent. For optional fields that
 * are not nullable in Svix, `null` also counts as absent: some Svix SDKs send
 * null for every unset field.
 */
export type Loc = (string | number)[];

export const UID_PATTERN = /^[a-zA-Z0-9\-_.]+$/;
// Paths take an id or a uid; a uid shaped like an id could shadow another record.
const ID_LIKE = /^(app|ep|msg|atmpt|dlv|qtask|op)_/;

/** PostgreSQL text cannot hold NUL; it is refused in every string on every backend, so both answer alike. */
export const NUL = { msg: 'must not contain NUL (\\u0000) characters', type: 'value_error.str.nul' };
export const hasNul = (text: string): boolean => text.includes('\u0000');

const UID_RULES = { min: 1, max: 256, pattern: UID_PATTERN };
const ID_LIKE_MSG = 'must not start with an id prefix such as app_ or ep_ (paths accept ids and uids alike)';

/** The optional `uid` of an application or endpoint: Svix's pattern, and never id-shaped. */
export function readUid(f: Fields): string | null | undefined {
  const uid = f.nullableString('uid', UID_RULES);
  if (uid && ID_LIKE.test(uid)) return f.fail('uid', ID_LIKE_MSG);
  return uid;
}

/** Why `text` cannot be a uid (the rules of readUid), or null when it can. */
export function uidProblem(text: string): string | null {
  if (text.length < UID_RULES.min || text.length > UID_RULES.max || !UID_PATTERN.test(text)) {
    return `must be ${UID_RULES.min}-${UID_RULES.max} characters matching ${UID_PATTERN.source}`;
  }
  return ID_LIKE.test(text) ? ID_LIKE_MSG : null;
}
export const NAME_PATTERN = /^[a-zA-Z0-9\-_.]+$/;

interface StringRules {
  /** NUL is refused unless allowed: only JSON columns (metadata) can hold it on PostgreSQL. */
  allowNul?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}
interface IntRules {
  required?: boolean;
  min?: number;
  max?: number;
}

/** Sets an own data property; a key named `__proto__` stays data instead of replacing the prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class Fields {
  readonly issues: ValidationIssue[];
  private readonly value: Record<string, unknown>;
  private readonly loc: Loc;

  private constructor(value: Record<string, unknown>, loc: Loc, issues: ValidationIssue[]) {
    this.value = value;
    this.loc = loc;
    this.issues = issues;
  }

  /** Reads a request body; anything but a JSON object is a 422 on `body`. */
  static body(body: unknown): Fields {
    if (!isObject(body)) {
      throw new ValidationError([{ loc: ['body'], msg: 'expected a JSON object', type: 'type_error.dict' }]);
    }
    return new Fields(body, ['body'], []);
  }

  /** A body the route may go without: absent reads as {}; anything else (JSON null too) must be an object. */
  static optionalBody(body: unknown): Fields {
    return Fields.body(body === undefined ? {} : body);
  }

  /** A nested object read into the same issue list; undefined when absent or not an object. */
  nested(key: string): Fields | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.fail(key, 'expected an object', 'type_error.dict');
    return new Fields(v, [...this.loc, key], this.issues);
  }

  /** Whether the field was sent with a value other than null. */
  has(key: string): boolean {
    return this.raw(key) != null;
  }

  fail(key: string | number | undefined, msg: string, type = 'value_error'): undefined {
    return this.failAt(key === undefined ? [] : [key], msg, type);
  }

  /** Records an issue at a path below this object (e.g. `['headers', name]`). */
  failAt(path: Loc, msg: string, type = 'value_error'): undefined {
    this.issues.push({ loc: [...this.loc, ...path], msg, type });
    return undefined;
  }

  private raw(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  private missing(key: string, required: boolean | undefined): undefined {
    if (required) this.fail(key, 'field required', 'value_error.missing');
    return undefined;
  }

  string(key: string, rules: StringRules = {}): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.missing(key, rules.required);
    return this.checkString(key, v, rules);
  }

  /** A string field where null is meaningful (clears it): returns null, the string, or undefined. */
  nullableString(key: string, rules: StringRules = {}): string | null | undefined {
    const v = this.raw(key);
    if (v === null) return null;
    if (v === undefined) return undefined;
    return this.checkString(key, v, rules);
  }

  private checkString(key: string | number, v: unknown, rules: StringRules, loc?: Loc): string | undefined {
    const at = loc ?? [...this.loc, key];
    const push = (msg: string, type: string): undefined => {
      this.issues.push({ loc: at, msg, type });
      return undefined;
    };
    if (typeof v !== 'string') return push('expected a string', 'type_error.string');
    if (!rules.allowNul && hasNul(v)) return push(NUL.msg, NUL.type);
    if (rules.min !== undefined && v.length < rules.min) {
      return push(`must have at least ${rules.min} character(s)`, 'value_error.any_str.min_length');
    }
    if (rules.max !== undefined && v.length > rules.max) {
      return push(`must have at most ${rules.max} characters`, 'value_error.any_str.max_length');
    }
    if (rules.pattern && !rules.pattern.test(v)) {
      return push(`must match ${rules.pattern.source}`, 'value_error.str.regex');
    }
    return v;
  }

  int(key: string, rules: IntRules = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.missing(key, rules.required);
    return this.checkInt(key, v, rules);
  }

  nullableInt(key: string, rules: IntRules = {}): number | null | undefined {
    const v = this.raw(key);
    if (v === null) return null;
    if (v === undefined) return undefined;
    return this.checkInt(key, v, rules);
  }

  private checkInt(key: string, v: unknown, rules: IntRules): number | undefined {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      return this.fail(key, 'expected an integer', 'type_error.integer');
    }
    if (rules.min !== undefined && v < rules.min) {
      return this.fail(key, `must be at least ${rules.min}`, 'value_error.number.not_ge');
    }
    if (rules.max !== undefined && v > rules.max) {
      return this.fail(key, `must be at most ${rules.max}`, 'value_error.number.not_le');
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return this.fail(key, 'expected a boolean', 'type_error.bool');
    return v;
  }

  /** Any JSON value, present or not (payloads, schemas). */
  any(key: string, required = false): unknown {
    const v = this.raw(key);
    if (v === undefined) return this.missing(key, required);
    return v;
  }

  /** A list of strings; null when sent as null. */
  stringList(key: string, rules: StringRules & { maxItems?: number }): string[] | null | undefined {
    const v = this.raw(key);
    if (v === null) return null;
    if (v === undefined) return this.missing(key, rules.required);
    if (!Array.isArray(v)) return this.fail(key, 'expected a list of strings', 'type_error.list');
    if (rules.maxItems !== undefined && v.length > rules.maxItems) {
      return this.fail(key, `must have at most ${rules.maxItems} items`, 'value_error.list.max_items');
    }
    const before = this.issues.length;
    const out = v.map((item, i) => this.checkString(i, item, rules, [...this.loc, key, i]));
    return this.issues.length === before ? (out as string[]) : undefined;
  }

  /**
   * A required list of objects, each read into an issue list of its own (a
   * batch answers per item); an item that is not an object comes back holding
   * that issue. Undefined when the list itself is wrong.
   */
  objectList(key: string, rules: { min: number; max: number }): Fields[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.missing(key, true);
    if (!Array.isArray(v)) return this.fail(key, 'expected a list of objects', 'type_error.list');
    if (v.length < rules.min || v.length > rules.max) {
      return this.fail(key, `must have ${rules.min} to ${rules.max} items`, 'value_error.list');
    }
    return v.map((item, i) => {
      const loc = [...this.loc, key, i];
      if (isObject(item)) return new Fields(item, loc, []);
      const f = new Fields({}, loc, []);
      f.fail(undefined, 'expected a JSON object', 'type_error.dict');
      return f;
    });
  }

  /** A `{string: string}` map such as metadata or headers. */
  stringMap(
    key: string,
    rules: { required?: boolean; maxValue?: number } = {},
  ): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.missing(key, rules.required);
    if (!isObject(v)) return this.fail(key, 'expected an object of strings', 'type_error.dict');
    const before = this.issues.length;
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(v)) {
      // Maps are stored as JSON, which holds NUL (escaped) on every backend.
      const s = this.checkString(name, value, { max: rules.maxValue, allowNul: true }, [
        ...this.loc,
        key,
        name,
      ]);
      if (s !== undefined) setOwn(out, name, s);
    }
    return this.issues.length === before ? out : undefined;
  }

  /** An ISO 8601 timestamp. */
  date(key: string, required = false): Date | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return this.missing(key, required);
    const d = typeof v === 'string' ? parseTimestamp(v) : undefined;
    if (!d) return this.fail(key, 'expected an ISO 8601 timestamp', 'value_error.datetime');
    return d;
  }

  /** Throws one 422 with every issue found so far. */
  done(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/**
 * Svix renamed rateLimit to throttleRate and SDKs may send either, or both
 * with one null: a number wins, then an explicit null, then "not sent".
 */
export function eitherRate(rateLimit: number | null | undefined, throttleRate: number | null | undefined) {
  if (typeof throttleRate === 'number') return throttleRate;
  if (typeof rateLimit === 'number') return rateLimit;
  if (throttleRate === null || rateLimit === null) return null;
  return undefined;
}

/** Parses an ISO 8601 timestamp (with date and time); undefined when it is not one. */
export function parseTimestamp(text: string): Date | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})(T|\s|$)/.exec(text);
  if (!day) return undefined;
  // Date.parse rolls 2024-02-30 over to March 1st instead of refusing it.
  const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
  if (month < 1 || month > 12 || date < 1 || date > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Webhook targets: absolute http(s) URLs with a host and no credentials. */
export function checkUrl(fields: Fields, key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fields.fail(key, 'expected an absolute URL', 'value_error.url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fields.fail(key, 'URL scheme must be http or https', 'value_error.url.scheme');
  }
  if (!url.hostname) return fields.fail(key, 'URL must have a host', 'value_error.url.host');
  // Credentials in a URL end up in logs and attempt listings; headers are the place for them.
  if (url.username || url.password) {
    return fields.fail(
      key,
      'URL must not contain credentials (user:password@); send them in a custom header such as Authorization',
      'value_error.url.credentials',
    );
  }
  return value;
}
