import type { FastifyInstance } from 'fastify';
import { HooklineError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received, when it was JSON. */
    rawBody?: string;
  }
}

/**
 * JSON is the only accepted body. Fastify's default parsers (including
 * text/plain) are removed so anything else is a 415, and our own parser keeps
 * the raw text for payloads and idempotency hashes. Bodies over the limit are
 * refused by Fastify while streaming (413).
 */
export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, text: string, done) => {
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        request.rawBody = text;
        done(null, parsed);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        done(new HooklineError('BAD_REQUEST', `malformed JSON body: ${why}`), undefined);
      }
    },
  );
}
