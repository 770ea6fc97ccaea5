/**
 * pino's JSON lines as text, for a terminal: `15:04:05.123 INFO  message key=value`.
 * `hookline serve` uses it when stdout is a terminal, so a person reads one
 * format (the banner and the log alike); a pipe or a log collector gets JSON.
 */
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function value(v: unknown): string {
  if (v && typeof v === 'object' && 'message' in v)
    return JSON.stringify((v as { message: unknown }).message);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : text;
}

export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now())
    .toISOString()
    .slice(11, 23);
  const level = (LEVELS[record.level as number] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  return `${time} ${level} ${String(record.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/** A pino destination writing text lines to `out`. */
export const textDestination = (out: NodeJS.WritableStream) => ({
  write(chunk: string) {
    for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line));
  },
});
