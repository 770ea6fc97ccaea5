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
 * Bearer auth on every route not marked public, unknown routes included (so
 * probing without a token learns nothing). The token is known only by its
 * stored hash (core/api-token.ts); the presented one is hashed and the two
 * digests compared in constant time, so the compare says nothing about it.
 */
export function registerAuth(app: FastifyInstance, tokenHash: string): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match?.[1];
    if (given === undefined) {
      throw new HooklineError('UNAUTHORIZED', 'missing Authorization: Bearer <token> header');
    }
    if (!apiTokenMatches(given, tokenHash)) throw new HooklineError('UNAUTHORIZED', 'invalid token');
  });
}
