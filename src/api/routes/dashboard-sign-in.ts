import type { FastifyInstance } from 'fastify';
import { HooklineError } from '../../core/errors.js';
import {
  generateOperatorSession,
  generateSignInCode,
  hashOperatorSecret,
  OPERATOR_SESSION_TTL_S,
  SIGN_IN_CODE_PREFIX,
  SIGN_IN_CODE_TTL_S,
} from '../../core/operator-session.js';
import type { ApiContext } from '../context.js';
import { Fields } from '../validate.js';
import { publicBase } from './auth.js';

const usedOrExpired = () =>
  new HooklineError(
    'SIGN_IN_CODE_INVALID',
    'this sign-in link was already used or has expired; run `hookline dashboard` for a new one',
  );

/**
 * Hookline's one-time sign-in to the operator dashboard (core/operator-session.ts).
 * Named apart from Svix's `dashboard-access/{app_id}`, which Hookline does not
 * serve (not-implemented.ts) and which means a per-application session there.
 */
export function dashboardSignInRoutes(app: FastifyInstance, { store, config }: ApiContext): void {
  /** Operator only (portal-scope.ts lists it for no capability). */
  app.post('/api/v1/auth/dashboard-sign-in', async (request) => {
    Fields.optionalBody(request.body).done();
    const code = generateSignInCode();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SIGN_IN_CODE_TTL_S * 1000);
    await store.operatorSessions.createCode(hashOperatorSecret(code), now, expiresAt);
    // In the fragment, which browsers never send: the code stays out of server and proxy logs.
    return { url: `${publicBase(config.publicUrl, request)}/#code=${code}`, code, expiresAt };
  });

  /** No bearer token: the code is the credential, good once. */
  app.post('/api/v1/auth/dashboard-sign-in/exchange', { config: { public: true } }, async (request) => {
    const f = Fields.body(request.body);
    const code = f.string('code', { required: true, min: 1, max: 256 });
    f.done();
    if (code === undefined || !code.startsWith(SIGN_IN_CODE_PREFIX)) throw usedOrExpired();
    const token = generateOperatorSession();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + OPERATOR_SESSION_TTL_S * 1000);
    const session = { tokenHash: hashOperatorSecret(token), createdAt: now, expiresAt };
    if (!(await store.operatorSessions.exchangeCode(hashOperatorSecret(code), session))) {
      throw usedOrExpired();
    }
    return { token, expiresAt };
  });
}
