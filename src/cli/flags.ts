import { readFileSync } from 'node:fs';
import { parseDuration } from '../core/duration.js';
import { usage } from './errors.js';

/** Commander option parsers: each throws a usage error (exit 2) naming the flag. */

export const integer =
  (flag: string, min = 1, max = 2_147_483_647) =>
  (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      throw usage(`invalid ${flag}: expected an integer from ${min} to ${max}, got "${text}"`);
    }
    return n;
  };

/** `a,b,c` (repeatable): the values accumulate. */
export const list = (text: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
];

/** `--header K=V` (repeatable) into a map. */
export const keyValue =
  (flag: string) =>
  (text: string, previous: Record<string, string> | undefined): Record<string, string> => {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usage(`invalid ${flag}: expected KEY=VALUE, got "${text}"`);
    return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) };
  };

/** `--data '{"a":1}'`, `--data @file.json` or `--data @-` (stdin): the JSON text, checked. */
export function jsonArgument(flag: string, text: string): { text: string; value: unknown } {
  let source = text;
  if (text.startsWith('@')) {
    const file = text.slice(1);
    try {
      source = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw usage(
        `cannot read ${flag} file "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  try {
    return { text: source, value: JSON.parse(source) };
  } catch (err) {
    throw usage(`invalid ${flag}: not JSON (${(err as Error).message})`);
  }
}

/** `--since 2h` (ago) or an ISO 8601 time. */
export function pastTime(flag: string, text: string, now = Date.now()): Date {
  const ms = parseDuration(text);
  if (ms !== undefined && /[a-z]$/.test(text.trim())) return new Date(now - ms);
  const date = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date.getTime())) return date;
  throw usage(`invalid ${flag}: expected a duration like 2h or 3d, or an ISO time, got "${text}"`);
}

/** The app a command acts on: --app, else HOOKLINE_APP. */
export function appOf(options: { app?: string }, env: NodeJS.ProcessEnv = process.env): string {
  const app = options.app ?? env.HOOKLINE_APP;
  if (!app) throw usage('which application? Pass --app ID_OR_UID (or set HOOKLINE_APP)');
  return app;
}

export const enc = encodeURIComponent;
