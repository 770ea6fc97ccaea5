import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { Agent, type Dispatcher, request } from 'undici';
import type { ErrorClass } from '../core/model.js';
import { classifyError, DEADLINE_CODE, describeError } from './classify.js';

/** Stored response bodies (and error texts) are cut to this many bytes. */
export const MAX_RESPONSE_BYTES = 4096;

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  /** The payload JSON, exactly the bytes that were signed. */
  body: string;
}

/** What happened to one POST. Plain data: the caller decides what it means. */
export interface SendResult {
  /** 0 when no HTTP response arrived. */
  statusCode: number;
  /** Response body, or the transport error text, at most 4 KiB of UTF-8. */
  body: string;
  durationMs: number;
  /** null for 2xx; `http` for other statuses; `redirect` for 3xx; the transport class otherwise. */
  errorClass: ErrorClass | null;
  /** The raw `Retry-After` response header, for policies that honour it. */
  retryAfter: string | null;
}

export interface Sender {
  send(req: SendRequest): Promise<SendResult>;
  /** Closes pooled connections (waits for requests in flight). */
  close(): Promise<void>;
}

export interface SenderOptions {
  /** Bound on the whole request: connect, headers and body. */
  timeoutMs: number;
  /** Keep-alive connections per origin (default 64). */
  connections?: number;
  /**
   * DNS lookup used for every new connection. The SSRF guard plugs in here:
   * it resolves, checks, and hands back the checked address, so the socket
   * connects to exactly what was checked. Reject with code HOOKLINE_BLOCKED.
   */
  lookup?: LookupFunction;
  /**
   * Checked before each request; throws (code HOOKLINE_BLOCKED) for targets the
   * lookup never sees, such as IP-literal hosts.
   */
  checkTarget?: (url: string) => void;
  /** Use this dispatcher instead of building one (tests, custom transports); not closed by close(). */
  dispatcher?: Dispatcher;
}

export function createAgent(opts: SenderOptions): Agent {
  return new Agent({
    connections: opts.connections ?? 64,
    // Pipelining would let one slow response delay others on the same socket.
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connect: { timeout: opts.timeoutMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) },
  });
}

/** Reads at most MAX_RESPONSE_BYTES (plus one chunk) and drops the rest without buffering it. */
async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > MAX_RESPONSE_BYTES) {
      chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
      size = MAX_RESPONSE_BYTES;
      break; // leaving the loop destroys the stream (and that connection)
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return utf8Prefix(Buffer.concat(chunks, size));
}

/** Decodes without a replacement char for a multi-byte sequence cut at the end. */
function utf8Prefix(bytes: Buffer): string {
  return new StringDecoder('utf8').write(bytes);
}

/** `text` cut to at most MAX_RESPONSE_BYTES of UTF-8, as every stored response or error text is. */
export function truncateText(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= MAX_RESPONSE_BYTES ? text : utf8Prefix(bytes.subarray(0, MAX_RESPONSE_BYTES));
}

function errorClassOfStatus(status: number): ErrorClass | null {
  if (status >= 200 && status < 300) return null;
  return status >= 300 && status < 400 ? 'redirect' : 'http';
}

export function createSender(opts: SenderOptions): Sender {
  const owned = opts.dispatcher === undefined;
  const dispatcher = opts.dispatcher ?? createAgent(opts);

  async function send(req: SendRequest): Promise<SendResult> {
    const started = performance.now();
    // undici's headers/body timeouts are per phase and reset on every chunk;
    // the deadline bounds the whole attempt so stop() can rely on it.
    const controller = new AbortController();
    const deadline = setTimeout(() => {
      const err = Object.assign(new Error(`request exceeded ${opts.timeoutMs}ms`), { code: DEADLINE_CODE });
      controller.abort(err);
    }, opts.timeoutMs);
    let statusCode = 0;
    let retryAfter: string | null = null;
    try {
      opts.checkTarget?.(req.url);
      const res = await request(req.url, {
        dispatcher,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: controller.signal,
      });
      statusCode = res.statusCode;
      const ra = res.headers['retry-after'];
      retryAfter = (Array.isArray(ra) ? ra[0] : ra) ?? null;
      let body: string;
      try {
        body = await readCapped(res.body);
      } catch (err) {
        // The status already arrived and decides the outcome; keep what explains the cut.
        body = truncateText(`(response body unreadable: ${describeError(err)})`);
      }
      const durationMs = performance.now() - started;
      return { statusCode, body, durationMs, errorClass: errorClassOfStatus(statusCode), retryAfter };
    } catch (err) {
      return {
        statusCode: 0,
        body: truncateText(describeError(err)),
        durationMs: performance.now() - started,
        errorClass: classifyError(err),
        retryAfter: null,
      };
    } finally {
      clearTimeout(deadline);
    }
  }

  return {
    send,
    close: async () => {
      if (owned) await dispatcher.close();
    },
  };
}
