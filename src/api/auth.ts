import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HooklineError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that answer without a token (health). */
    public?: boolean;
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Bearer auth on every route not marked public, unknown routes included (so
 * probing without a token learns nothing). Both sides are hashed first: equal
 * lengths for timingSafeEqual, and the compare time says nothing about the token.
 */
export function registerAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match?.[1];
    if (given === undefined) {
      throw new HooklineError('UNAUTHORIZED', 'missing Authorization: Bearer <token> header');
    }
    if (!timingSafeEqual(digest(given), expected)) throw new HooklineError('UNAUTHORIZED', 'invalid token');
  });
}
