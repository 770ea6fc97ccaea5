import type { VerifiedWebhook } from '../standard.js';
import {
  DEFAULT_LIMIT,
  type Reply,
  type WebhookAdapterOptions,
  type WebhookEvent,
  createRunner,
  tooLarge,
} from './core.js';

/**
 * A Fetch API handler, `(request: Request) => Promise<Response>`, for Hono
 * (`(c) => handle(c.req.raw)`), Next.js route handlers (`export const POST = ...`)
 * and any Web-standard runtime. A `Response` returned by the handler is used as is.
 * Handler errors propagate to the framework.
 */
export function fetchWebhook<E extends WebhookEvent = VerifiedWebhook>(
  options: WebhookAdapterOptions<E, [request: Request]>,
): (request: Request) => Promise<Response> {
  const run = createRunner(options, (result) => result instanceof Response && !result.ok);
  const limit = options.limit ?? DEFAULT_LIMIT;
  return async (request) => {
    // Someone already called request.json() or .text(): the bytes are gone.
    if (request.bodyUsed) return toResponse(await run(undefined, request.headers, request));
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > limit) return toResponse(answerTooLarge(limit));
    const body = await readLimited(request, limit);
    if (body === null) return toResponse(answerTooLarge(limit));
    return toResponse(await run(body, request.headers, request));
  };
}

/**
 * The body's bytes, or null once they pass `limit`: reading stops there, so a
 * chunked body without content-length cannot fill memory before the signature
 * is even checked.
 */
async function readLimited(request: Request, limit: number): Promise<Uint8Array | null> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function answerTooLarge(limit: number): Reply {
  const error = tooLarge(limit);
  return { kind: 'answer', status: 413, body: { code: error.code, message: error.message } };
}

function toResponse(reply: Reply): Response {
  if (reply.kind === 'answer') return Response.json(reply.body, { status: reply.status });
  if (reply.result instanceof Response) return reply.result;
  if (reply.result === undefined) return new Response(null, { status: 204 });
  return Response.json(reply.result);
}
