/**
 * The rules for custom headers an endpoint sends with every delivery, shared by
 * the API (which refuses a bad header with a 422) and delivery (which skips one
 * that was stored anyway). Names must be HTTP tokens and values free of control
 * characters (CR/LF would split headers). Names Hookline sets itself, or that
 * change how the request is framed or routed, are refused so a user cannot
 * break signing or delivery.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const MAX_NAME_LENGTH = 256;
const MAX_VALUE_LENGTH = 4096;
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

/** Why `name` cannot be a custom header name, or null when it can. */
export function customHeaderNameProblem(name: string): string | null {
  if (!TOKEN.test(name) || name.length > MAX_NAME_LENGTH) return 'not a valid HTTP header name';
  const lower = name.toLowerCase();
  if (RESERVED.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
    return `header ${name} is set by Hookline and cannot be customised`;
  }
  // A valid token, but assigning it to a plain object sets the prototype instead
  // (the header vanished at delivery), and receivers that copy headers into
  // objects can be polluted by it: refused, in any case.
  if (lower === '__proto__')
    return `header ${name} is not allowed (it would be read as an object's prototype)`;
  return null;
}

/** Why `value` cannot be a custom header value, or null when it can. */
export function customHeaderValueProblem(value: string): string | null {
  if (!VALUE.test(value) || value.length > MAX_VALUE_LENGTH) {
    return `header values must be at most ${MAX_VALUE_LENGTH} characters without control characters (CR, LF)`;
  }
  return null;
}

/** Why the custom header `name: value` is refused (the name's problem first), or null when it is allowed. */
export function customHeaderProblem(name: string, value: string): string | null {
  return customHeaderNameProblem(name) ?? customHeaderValueProblem(value);
}
