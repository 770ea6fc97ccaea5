import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { apiTokenMatches } from '../core/api-token.js';
import { HooklineError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that answer without a token (health). */
    public?: boolean;
  }
}

/**
 * The bearer-token check, as a function of the request headers: throws
 * UNAUTHORIZED unless they carry the token. The token is known only by its
 * stored hash (core/api-token.ts); the presented one is hashed and the two
 * digests compared in constant time, so the compare says nothing about it.
 */
export function tokenCheck(tokenHash: string): (headers: IncomingHttpHeaders) => void {
  return (headers) => {
    const header = headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match?.[1];
    if (given === undefined) {
      throw new HooklineError('UNAUTHORIZED', 'missing Authorization: Bearer <token> header');
    }
    if (!apiTokenMatches(given, tokenHash)) throw new HooklineError('UNAUTHORIZED', 'invalid token');
  };
}

/**
 * Bearer auth on every route not marked public, unknown routes included (so
 * probing without a token learns nothing). It runs first, on the request head
 * alone: a refused request's body is never read. An unknown route is refused
 * here too (after the token), for the same reason.
 */
export function registerAuth(app: FastifyInstance, check: (headers: IncomingHttpHeaders) => void): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    check(request.headers);
    if (request.is404) {
      throw new HooklineError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    }
  });
}
