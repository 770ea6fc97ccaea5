import { customHeaderNameProblem, customHeaderValueProblem } from '../core/custom-headers.js';
import { type Fields, setOwn } from './validate.js';

/** Header values Svix reports as `sensitive` and leaves out of GET /headers. */
const SENSITIVE = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/**
 * Checks each custom header of `headers` (read from `key` of `f`) against the
 * rules in core/custom-headers.ts, recording issues on `f`.
 */
export function checkHeaders(f: Fields, key: string, headers: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const loc = [key, name];
    const nameProblem = customHeaderNameProblem(name);
    if (nameProblem !== null) f.failAt(loc, nameProblem);
    else if (seen.has(lower)) f.failAt(loc, `header ${name} is given twice (names are case-insensitive)`);
    const valueProblem = customHeaderValueProblem(value);
    if (valueProblem !== null) f.failAt(loc, valueProblem);
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
