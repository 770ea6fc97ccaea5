import type { Command } from 'commander';

/** Whether the command (or the program) was given --json. */
export const wantsJson = (cmd: Command): boolean => cmd.optsWithGlobals().json === true;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export type Column<T> = [header: string, value: (row: T) => unknown];

/** A cell as text: null and undefined as `-`, lists comma-separated, newlines folded. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(String).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** A plain left-aligned table with an upper-case header, two spaces between columns. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [
    columns.map(([h]) => h.toUpperCase()),
    ...rows.map((r) => columns.map(([, f]) => cell(f(r)))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** Field: value lines for one record, names aligned. */
export function details(pairs: readonly [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cell(v)}`)
    .join('\n')
    .concat('\n');
}

/** A list for people, or the API's page for scripts. */
export function printList<T>(
  cmd: Command,
  page: { data: T[]; done: boolean; iterator?: string | null },
  columns: readonly Column<T>[],
  empty: string,
): void {
  if (wantsJson(cmd)) {
    printJson(page);
    return;
  }
  if (page.data.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  process.stdout.write(table(page.data, columns));
  if (!page.done && page.iterator) process.stdout.write(`(more: --iterator ${page.iterator})\n`);
}

/** One record for people (field lines), or as the API returned it for scripts. */
export function printRecord(cmd: Command, record: unknown, pairs: readonly [string, unknown][]): void {
  if (wantsJson(cmd)) printJson(record);
  else process.stdout.write(details(pairs));
}

/** A one-line confirmation for people, or the record for scripts. */
export function printDone(cmd: Command, record: unknown, line: string): void {
  if (wantsJson(cmd)) printJson(record ?? {});
  else process.stdout.write(`${line}\n`);
}
