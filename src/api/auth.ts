import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiTokenMatcher } from '../core/api-token.js';
import { HooklineError } from '../core/errors.js';
import { hashOperatorSecret, OPERATOR_SESSION_PREFIX } from '../core/operator-session.js';
import { hashPortalToken, PORTAL_TOKEN_PREFIX, type PortalToken } from '../core/portal-token.js';
import type { Store } from '../store/store.js';
import { authorizePortal } from './portal-scope.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that answer without a token (health, the pages of the dashboard and portal). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who presented the request's token; set by the auth hook on every route not public. */
    principal?: Principal;
  }
}

/**
 * The kinds of bearer token the API takes (docs/api.md, "Tokens"): the
 * operator's API token opens everything, and so does a dashboard session
 * token (`sessionHash` set: it can log out, and it expires); an app-portal
 * token opens one application's routes within its capabilities (portal-scope.ts).
 */
export type Principal =
  | { kind: 'operator'; session?: { tokenHash: string; expiresAt: Date } }
  | { kind: 'portal'; token: PortalToken };

export type TokenCheck = (headers: IncomingHttpHeaders) => Promise<Principal>;

/**
 * The bearer-token check, as a function of the request headers: resolves to
 * who holds the token, or throws UNAUTHORIZED. The API token is known only by
 * its stored hash (core/api-token.ts); the presented one is hashed and the two
 * digests compared in constant time, so the compare says nothing about it.
 * App-portal and dashboard session tokens are looked up by their hash, and
 * only while valid: an expired, revoked and unknown token read alike.
 */
export function tokenCheck(tokenHash: string, store: Store | null): TokenCheck {
  const isApiToken = apiTokenMatcher(tokenHash);
  return async (headers) => {
    const header = headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match?.[1];
    if (given === undefined) {
      throw new HooklineError('UNAUTHORIZED', 'missing Authorization: Bearer <token> header');
    }
    if (isApiToken(given)) return { kind: 'operator' };
    if (store !== null && given.startsWith(PORTAL_TOKEN_PREFIX)) {
      const token = await store.portalTokens.find(hashPortalToken(given), new Date());
      if (token) return { kind: 'portal', token };
      throw new HooklineError('UNAUTHORIZED', 'this app-portal token has expired or was revoked');
    }
    if (store !== null && given.startsWith(OPERATOR_SESSION_PREFIX)) {
      const found = await store.operatorSessions.findSession(hashOperatorSecret(given), new Date());
      if (found)
        return { kind: 'operator', session: { tokenHash: found.tokenHash, expiresAt: found.expiresAt } };
      throw new HooklineError(
        'UNAUTHORIZED',
        'this dashboard session has expired or was signed out; run `hookline dashboard` for a new link',
      );
    }
    throw new HooklineError('UNAUTHORIZED', 'invalid token');
  };
}

/** The principal of an authenticated request (routes not public always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HooklineError('UNAUTHORIZED', 'not authenticated');
  return request.principal;
}

/**
 * Bearer auth on every route not marked public, unknown routes included (so
 * probing without a token learns nothing). It runs first, on the request head
 * alone: a refused request's body is never read. An unknown route is refused
 * here too (after the token), for the same reason. An app-portal token is
 * then held to its application and capabilities (portal-scope.ts), before
 * any handler runs.
 */
export function registerAuth(app: FastifyInstance, check: TokenCheck, store: Store): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    const principal = await check(request.headers);
    request.principal = principal;
    if (request.is404) {
      throw new HooklineError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    }
    if (principal.kind === 'portal') await authorizePortal(request, principal.token, store);
  });
}
