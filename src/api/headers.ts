import { type Fields, setOwn } from './validate.js';

/**
 * Custom headers an endpoint sends with every delivery. Names must be HTTP
 * tokens and values free of control characters (CR/LF would split headers).
 * Names Hookline sets itself, or that change how the request is framed or
 * routed, are refused so a user cannot break signing or delivery.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const RESERVED = new Set([
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-'];

/** Header values Svix reports as `sensitive` and leaves out of GET /headers. */
const SENSITIVE = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Checks each header of `headers` (read from `key` of `f`), recording issues on `f`. */
export function checkHeaders(f: Fields, key: string, headers: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const loc = [key, name];
    if (!TOKEN.test(name) || name.length > 256) f.failAt(loc, 'not a valid HTTP header name');
    else if (RESERVED.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
      f.failAt(loc, `header ${name} is set by Hookline and cannot be customised`);
    } else if (seen.has(lower)) f.failAt(loc, `header ${name} is given twice (names are case-insensitive)`);
    if (!VALUE.test(value) || value.length > 4096) {
      f.failAt(loc, 'header values must be at most 4096 characters without control characters (CR, LF)');
    }
    seen.add(lower);
  }
}

/** Replaces or adds `updates` in `current`, matching names case-insensitively, then deletes `remove`. */
export function mergeHeaders(
  current: Record<string, string>,
  updates: Record<string, string>,
  remove: readonly string[] = [],
): Record<string, string> {
  const drop = new Set([...Object.keys(updates), ...remove].map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) {
    if (!drop.has(name.toLowerCase())) setOwn(out, name, value);
  }
  for (const [name, value] of Object.entries(updates)) setOwn(out, name, value);
  return out;
}

/** EndpointHeadersOut: sensitive values are withheld, their names listed. */
export function headersOut(headers: Record<string, string>): {
  headers: Record<string, string>;
  sensitive: string[];
} {
  const shown: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (SENSITIVE.has(name.toLowerCase())) sensitive.push(name);
    else setOwn(shown, name, value);
  }
  return { headers: shown, sensitive };
}
