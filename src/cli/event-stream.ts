import type { ApiClient, Query } from './client.js';
import { describeError, urlOf } from './client.js';
import { failure } from './errors.js';

/** One server-sent event. */
export interface StreamEvent {
  event: string;
  id: string | null;
  data: string;
}

export interface FollowStreamOptions {
  client: ApiClient;
  path: string;
  query?: Query;
  signal: AbortSignal;
  onEvent: (event: StreamEvent) => void | Promise<void>;
  /** The stream opened (first time or again after a drop). */
  onOpen?: (reconnected: boolean) => void;
  /** The stream dropped and will be opened again in `retryInMs`. */
  onDrop?: (reason: string, retryInMs: number) => void;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Reads a server-sent-events route until `signal` aborts, opening it again
 * after every drop (server restart, network) with `Last-Event-ID` set to the
 * last id seen, so the server resumes where the stream left off. A refusal
 * (401, 404, 422) ends it with a CliError: reconnecting would not help.
 */
export async function followStream(opts: FollowStreamOptions): Promise<void> {
  const { connection } = opts.client;
  let lastId: string | null = null;
  let opened = false;
  let failures = 0;
  while (!opts.signal.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (connection.token) headers.authorization = `Bearer ${connection.token}`;
    if (lastId !== null) headers['last-event-id'] = lastId;
    let reason: string;
    try {
      const res = await fetch(urlOf(connection.server, opts.path, opts.query), {
        headers,
        signal: opts.signal,
      });
      if (res.status === 401) throw failure(`the server at ${connection.server} refused the API token`);
      if (res.status >= 400 && res.status < 500) {
        const text = await res.text();
        throw failure(describeError(res.status, text === '' ? undefined : safeJson(text)));
      }
      if (!res.ok || !res.body) {
        reason = `HTTP ${res.status}`;
      } else {
        opts.onOpen?.(opened);
        opened = true;
        failures = 0;
        for await (const event of parseEvents(res.body)) {
          if (event.id !== null) lastId = event.id;
          await opts.onEvent(event);
        }
        reason = 'the server closed the stream';
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      if (err instanceof Error && err.name === 'CliError') throw err;
      reason = describeTransport(err);
    }
    if (opts.signal.aborted) return;
    const retryInMs = Math.min(250 * 2 ** failures, MAX_BACKOFF_MS);
    failures++;
    opts.onDrop?.(reason, retryInMs);
    await sleep(retryInMs, opts.signal);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeTransport(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** Splits a text/event-stream body into events (comments and unknown fields ignored). */
export async function* parseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let id: string | null = null;
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (line === '') {
        if (data.length > 0) yield { event, id, data: data.join('\n') };
        event = 'message';
        id = null;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
