import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedWebhook } from '../standard.js';
import {
  DEFAULT_LIMIT,
  type Reply,
  type WebhookAdapterOptions,
  type WebhookEvent,
  createRunner,
  isSuccessStatus,
  tooLarge,
} from './core.js';

/** Reads a request body to bytes, failing with BODY_TOO_LARGE past `limit` bytes. */
export async function readRawBody(req: AsyncIterable<unknown>, limit = DEFAULT_LIMIT): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Whether the handler already sent a non-2xx answer itself (what it set but did not send is replaced). */
export const answeredFailure = (_result: unknown, _req: IncomingMessage, res: ServerResponse): boolean =>
  res.headersSent && !isSuccessStatus(res.statusCode);

/** Sends an adapter reply unless the handler already answered. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.writableEnded) return;
  if (reply.kind === 'answer') sendJson(res, reply.status, reply.body);
  else if (reply.result === undefined) {
    res.statusCode = 204;
    res.end();
  } else sendJson(res, 200, reply.result);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export interface NodeWebhookOptions<E extends WebhookEvent>
  extends WebhookAdapterOptions<E, [req: IncomingMessage, res: ServerResponse]> {
  /** Called when the handler throws (the client gets a bare 500); libraries do not log. */
  onError?: (error: unknown) => void;
}

/**
 * A `node:http` request listener: reads the raw body, verifies, then calls
 * `handler(event, req, res)`. Usable as `http.createServer(nodeWebhook(...))`
 * or called from your own router.
 */
export function nodeWebhook<E extends WebhookEvent = VerifiedWebhook>(
  options: NodeWebhookOptions<E>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const run = createRunner(options, answeredFailure);
  const limit = options.limit ?? DEFAULT_LIMIT;
  return async (req, res) => {
    let reply: Reply;
    try {
      const body = await readRawBody(req, limit);
      reply = await run(body, req.headers, req, res);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'BODY_TOO_LARGE') {
        res.setHeader('connection', 'close');
        sendJson(res, 413, { code: 'BODY_TOO_LARGE', message: error.message });
        return;
      }
      options.onError?.(error);
      if (!res.headersSent)
        sendJson(res, 500, { code: 'HANDLER_FAILED', message: 'The webhook handler failed' });
      else res.end();
      return;
    }
    sendReply(res, reply);
  };
}
