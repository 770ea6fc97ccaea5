import { readFileSync } from 'node:fs';
import type { ApiClient } from './client.js';
import { describeError } from './client.js';
import { failure, usage } from './errors.js';
import { enc } from './flags.js';
import type { MessageOut } from './messages.js';

/** What the batch route takes per call (src/api/routes/message-batch.ts), kept a little under its body limit. */
const MAX_PER_CALL = 1000;
const MAX_CALL_CHARS = 15 * 1024 * 1024;

export type BatchItem = { status: number; message?: MessageOut; error?: unknown };

/** The NDJSON file's messages, one JSON object a line (blank lines skipped), each kept as its exact text. */
export function readNdjson(file: string): { line: number; text: string }[] {
  let source: string;
  try {
    source = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw usage(`cannot read --batch file "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines: { line: number; text: string }[] = [];
  source.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw usage(`--batch line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw usage(`--batch line ${i + 1}: expected a message object like {"eventType": ..., "payload": ...}`);
    lines.push({ line: i + 1, text });
  });
  if (lines.length === 0) throw usage(`--batch file "${file}" holds no messages`);
  return lines;
}

/** Consecutive calls of at most MAX_PER_CALL messages and MAX_CALL_CHARS characters. */
function calls<T extends { text: string }>(lines: T[]): T[][] {
  const out: T[][] = [];
  let call: T[] = [];
  let chars = 0;
  for (const l of lines) {
    if (call.length > 0 && (call.length >= MAX_PER_CALL || chars + l.text.length > MAX_CALL_CHARS)) {
      out.push(call);
      call = [];
      chars = 0;
    }
    call.push(l);
    chars += l.text.length + 1;
  }
  if (call.length > 0) out.push(call);
  return out;
}

/**
 * Sends the file's messages through POST .../msg/batch, a call per 1,000.
 * Payloads go out as the text in the file. Returns each line's answer, in order.
 */
export async function sendBatch(
  client: ApiClient,
  app: string,
  file: string,
): Promise<{ line: number; item: BatchItem }[]> {
  const results: { line: number; item: BatchItem }[] = [];
  for (const call of calls(readNdjson(file))) {
    const body = `{"messages":[${call.map((l) => l.text).join(',')}]}`;
    const res = await client.request<{ data: BatchItem[] }>('POST', `/api/v1/app/${enc(app)}/msg/batch`, {
      body,
    });
    results.push(...res.data.map((item, i) => ({ line: call[i]!.line, item })));
  }
  return results;
}

/** A line per refused message, then the count; fails (exit 1) when any was refused. */
export function batchSummary(results: { line: number; item: BatchItem }[]): string {
  const refused = results.filter((r) => r.item.status !== 202);
  const lines = refused.map((r) => `line ${r.line}: ${describeError(r.item.status, r.item.error)}`);
  const summary = `sent ${results.length - refused.length} of ${results.length} messages`;
  if (refused.length > 0) throw failure([...lines, `${summary}; ${refused.length} refused`].join('\n'));
  return summary;
}
