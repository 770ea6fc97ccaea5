import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedWebhook } from '../standard.js';
import { DEFAULT_LIMIT, type WebhookAdapterOptions, type WebhookEvent, createRunner } from './core.js';
import { answeredFailure, readRawBody, sendReply } from './node.js';

/** What body parsers may have left on an Express (or Connect) request. */
interface ParsedRequest {
  body?: unknown;
  /** Set by the `verify` hook some apps add to express.json() to keep the bytes. */
  rawBody?: unknown;
  _body?: boolean;
}

/**
 * Express (4 or 5) middleware. Mount it on the webhook route before
 * `express.json()`, or in an app without it: it reads the raw body itself.
 * It also accepts a body left by `express.raw()` / `express.text()` or a
 * `req.rawBody`. After `express.json()` consumed the stream, the answer is 400 BODY_NOT_RAW.
 * Handler errors go to `next(error)`.
 */
export function expressWebhook<
  E extends WebhookEvent = VerifiedWebhook,
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>(
  options: WebhookAdapterOptions<E, [req: Req, res: Res]>,
): (req: Req, res: Res, next: (error?: unknown) => void) => Promise<void> {
  const run = createRunner(options, answeredFailure);
  const limit = options.limit ?? DEFAULT_LIMIT;
  return async (req, res, next) => {
    try {
      const body = await rawBodyOf(req, limit);
      sendReply(res, await run(body, req.headers, req, res));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'BODY_TOO_LARGE') {
        res.setHeader('connection', 'close');
        return sendReply(res, {
          kind: 'answer',
          status: 413,
          body: { code: error.code, message: error.message },
        });
      }
      next(error);
    }
  };
}

async function rawBodyOf(req: IncomingMessage & ParsedRequest, limit: number): Promise<unknown> {
  if (isRaw(req.rawBody)) return req.rawBody;
  if (isRaw(req.body)) return req.body;
  // body-parser marks a body it parsed with `_body`; Express 4 also leaves `{}` on bodies it skipped,
  // whose stream is still unread. Once consumed the bytes are gone, and handing verification
  // what is left makes it answer BODY_NOT_RAW with how to fix it.
  if (req._body === true || req.readableEnded) return req.body;
  return readRawBody(req, limit);
}

const isRaw = (body: unknown): body is Uint8Array | string =>
  body instanceof Uint8Array || typeof body === 'string';
