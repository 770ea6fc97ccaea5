import type { IncomingHttpHeaders } from 'node:http';
import type { VerifiedWebhook } from '../standard.js';
import {
  DEFAULT_LIMIT,
  type WebhookAdapterOptions,
  type WebhookEvent,
  createRunner,
  isSuccessStatus,
} from './core.js';

/** The parts of Fastify's request and reply the adapter touches (structural: no runtime import). */
export interface FastifyRequestLike {
  body: unknown;
  headers: IncomingHttpHeaders;
}
export interface FastifyReplyLike {
  readonly sent: boolean;
  readonly statusCode: number;
  code(status: number): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}
/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  post(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
}

export interface FastifyWebhookOptions<E extends WebhookEvent, Req, Reply>
  extends WebhookAdapterOptions<E, [request: Req, reply: Reply]> {
  /** Route path inside the plugin (combine with register's `prefix`). Default `/`. */
  path?: string;
}

/**
 * A Fastify plugin that adds `POST path` with raw-body parsing. Fastify parses
 * JSON by default; this plugin replaces the content-type parsers with a
 * buffer parser *inside its own encapsulated context only*, so the rest of the
 * app keeps parsing JSON. Use: `app.register(fastifyWebhook({ path: '/webhooks', secret, handler }))`.
 * Handler errors propagate to Fastify's error handler.
 */
export function fastifyWebhook<
  E extends WebhookEvent = VerifiedWebhook,
  Req extends FastifyRequestLike = FastifyRequestLike,
  Reply extends FastifyReplyLike = FastifyReplyLike,
>(options: FastifyWebhookOptions<E, Req, Reply>): (instance: FastifyInstanceLike) => Promise<void> {
  const run = createRunner(
    options,
    (_result, _request, reply: FastifyReplyLike) => reply.sent && !isSuccessStatus(reply.statusCode),
  );
  const limit = options.limit ?? DEFAULT_LIMIT;
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) =>
      done(null, body),
    );
    instance.post(options.path ?? '/', async (request, reply) => {
      // No parser runs for an empty body; inside this context that can only mean zero bytes.
      const reply_ = await run(
        request.body ?? new Uint8Array(0),
        request.headers,
        request as Req,
        reply as Reply,
      );
      if (reply.sent) return reply;
      if (reply_.kind === 'answer') return reply.code(reply_.status).send(reply_.body);
      if (reply_.result === undefined) return reply.code(204).send();
      return reply.code(200).send(reply_.result);
    });
  };
}
