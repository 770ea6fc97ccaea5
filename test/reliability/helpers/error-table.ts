import { readFileSync } from 'node:fs';

/**
 * docs/api.md's Errors table as data: status -> the `code`s its rows allow.
 * A 4xx answer is checked against the documentation itself, so the two can
 * only drift apart by failing a test. Rows whose code is not a `backticked`
 * word (422's validation detail, 408's empty body) map to an empty set.
 */
export function documentedErrors(): Map<number, Set<string>> {
  const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Errors'));
  const table = new Map<number, Set<string>>();
  for (const m of section.matchAll(/^\| (\d{3}) \| ([^|]*) \|/gm)) {
    const status = Number(m[1]);
    const codes = table.get(status) ?? new Set<string>();
    const code = /^`([a-z_]+)`$/.exec(m[2]!.trim())?.[1];
    if (code) codes.add(code);
    table.set(status, codes);
  }
  return table;
}
