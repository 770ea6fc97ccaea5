import type { FastifyInstance } from 'fastify';
import { HooklineError, invalid } from '../core/errors.js';

/**
 * Deepest nesting accepted. Serialising a deeper document (to answer, to list
 * it later) overflows the stack, so it is refused before anything is stored.
 */
export const MAX_JSON_DEPTH = 128;

/** The deepest `{`/`[` nesting of JSON text, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return max;
}

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
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        done(
          invalid(['body'], `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, 'value_error.json.depth'),
          undefined,
        );
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
