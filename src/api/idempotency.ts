import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HooklineError, invalid } from '../core/errors.js';
import type { Store } from '../store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The scoped idempotency key this request claimed and the claim's owner
     * token (so a claim taken over since is left alone), until its response is recorded.
     */
    idempotencyClaim?: { key: string; token: string; settled: boolean };
  }
}

/** Svix keeps keys 24 hours; the contract promises at least 12. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its 2xx
 * response is stored; a repeat with the same request gets that response again;
 * a repeat with a different request is a 422; a repeat while the first still
 * runs is a 409. Failed requests release the key so the client can retry.
 * Keys are scoped by path, so one key on two routes (or two apps) never collides.
 */
export function registerIdempotency(app: FastifyInstance, store: Store): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (typeof header !== 'string' || header === '') return;
    if (header.length > 256) throw invalid(['header', 'idempotency-key'], 'must be at most 256 characters');
    const [path = '', query = ''] = request.url.split('?', 2);
    // The router ignores trailing slashes, so the scope must too: /app/ is /app.
    const key = `POST ${path.replace(/\/+$/, '')} ${header}`;
    const requestHash = createHash('sha256')
      .update(query)
      .update('\n')
      .update(request.rawBody ?? '')
      .digest('base64url');
    const begun = await store.idempotency.begin(key, requestHash, new Date(Date.now() + IDEMPOTENCY_TTL_MS));
    if (begun.state === 'in_progress') {
      throw new HooklineError(
        'IDEMPOTENCY_IN_PROGRESS',
        'a request with this Idempotency-Key is still running',
      );
    }
    if (begun.state === 'done') {
      if (begun.requestHash !== requestHash) {
        throw new HooklineError(
          'IDEMPOTENCY_MISMATCH',
          'this Idempotency-Key was already used with a different request',
        );
      }
      reply.code(begun.statusCode).header('idempotent-replayed', 'true');
      if (begun.body === '') return reply.send();
      return reply.type('application/json').send(begun.body);
    }
    request.idempotencyClaim = { key, token: begun.token, settled: false };
  });

  // A callback hook: every response passes here, and most carry no key.
  app.addHook('onSend', (request, reply, payload, done) => {
    const claim = request.idempotencyClaim;
    if (!claim || claim.settled) return done(null, payload);
    claim.settled = true;
    const settle =
      reply.statusCode < 300
        ? store.idempotency.complete(
            claim.key,
            claim.token,
            reply.statusCode,
            typeof payload === 'string' ? payload : '',
          )
        : store.idempotency.release(claim.key, claim.token);
    settle.then(
      () => done(null, payload),
      (err: unknown) => {
        // The response itself is right; a lost record only means a retry runs again.
        request.log.error({ err }, 'could not record idempotency key');
        done(null, payload);
      },
    );
  });
  // No onRequestAbort release: the handler may still finish, and onSend runs
  // even when the client has gone, so the claim is always settled there.
}
