import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HooklineError } from '../../core/errors.js';
import {
  ACCENT_PATTERN,
  generatePortalToken,
  isSafeLogo,
  LOGO_MAX_LENGTH,
  hashPortalToken,
  PORTAL_CAPABILITIES,
  PORTAL_MAX_EXPIRY_S,
  PORTAL_MIN_EXPIRY_S,
  type PortalCapability,
  type PortalTheme,
  READ_CAPABILITIES,
} from '../../core/portal-token.js';
import { principalOf } from '../auth.js';
import { type ApiContext, type AppParams, loadApp } from '../context.js';
import { Fields } from '../validate.js';
import { appForMessage } from './messages.js';

/** Svix's ManageTransformations is accepted (SDKs send it) and opens nothing: Hookline has no transformations. */
export const ACCEPTED_CAPABILITIES: readonly string[] = [...PORTAL_CAPABILITIES, 'ManageTransformations'];

/** Where people reach this server: `--public-url`, else the scheme and Host of the request. */
export function publicBase(publicUrl: string | null, request: FastifyRequest): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** The capabilities a new token gets: all by default (as Svix), ViewBase always, only reading when read-only. */
function grantedCapabilities(asked: string[] | null | undefined, readOnly: boolean): PortalCapability[] {
  const all = asked == null ? [...PORTAL_CAPABILITIES] : asked;
  const granted = new Set<PortalCapability>(['ViewBase']);
  for (const c of all) {
    if (!(PORTAL_CAPABILITIES as readonly string[]).includes(c)) continue;
    if (readOnly && !READ_CAPABILITIES.includes(c as PortalCapability)) continue;
    granted.add(c as PortalCapability);
  }
  return PORTAL_CAPABILITIES.filter((c) => granted.has(c));
}

/**
 * Hookline's `portalTheme`: the portal's look for this link, each of its three
 * settings optional, checked as the portal page checks its query parameters
 * (a logo only over https, with no credentials). Null when none is set.
 */
function readPortalTheme(f: Fields): PortalTheme | null {
  const t = f.has('portalTheme') ? f.nested('portalTheme') : undefined;
  if (!t) return null;
  const theme: PortalTheme = {};
  const mode = t.nullableString('theme');
  if (mode === 'light' || mode === 'dark') theme.theme = mode;
  else if (mode != null) t.fail('theme', 'expected light or dark', 'value_error.const');
  const accent = t.nullableString('accent', { pattern: ACCENT_PATTERN });
  if (accent != null) theme.accent = accent.toLowerCase();
  const logo = t.nullableString('logo', { max: LOGO_MAX_LENGTH });
  if (logo != null) {
    if (isSafeLogo(logo)) theme.logo = new URL(logo).href;
    else t.fail('logo', 'expected an https URL without credentials', 'value_error.url');
  }
  return Object.keys(theme).length > 0 ? theme : null;
}

/**
 * Svix's authentication routes for the consumer app portal: issue an
 * app-scoped token (operator only: portal-scope.ts lists none of these but
 * session and logout), revoke one or all, and Hookline's own session route
 * that tells a page who its token is.
 */
export function authRoutes(app: FastifyInstance, { store, config }: ApiContext): void {
  app.post<{ Params: AppParams }>('/api/v1/auth/app-portal-access/:app_id', async (request) => {
    const f = Fields.optionalBody(request.body);
    const capabilities = f.stringList('capabilities', { min: 1, max: 64, maxItems: 16 });
    capabilities?.forEach((c, i) => {
      if (!ACCEPTED_CAPABILITIES.includes(c)) {
        f.failAt(['capabilities', i], `expected one of ${ACCEPTED_CAPABILITIES.join(', ')}`);
      }
    });
    const expiry = f.nullableInt('expiry', { min: PORTAL_MIN_EXPIRY_S, max: PORTAL_MAX_EXPIRY_S });
    const featureFlags = f.stringList('featureFlags', { min: 1, max: 256, maxItems: 64 });
    const readOnly = f.bool('readOnly') ?? false;
    const sessionId = f.nullableString('sessionId', { min: 1, max: 256 });
    const theme = readPortalTheme(f);
    f.done();
    // As in Svix, `application` creates the app the path names when it does not exist yet.
    const application = await appForMessage(store, request.params.app_id, f);
    const token = generatePortalToken();
    const now = new Date();
    await store.portalTokens.create({
      tokenHash: hashPortalToken(token),
      appId: application.id,
      capabilities: grantedCapabilities(capabilities, readOnly),
      featureFlags: featureFlags ?? [],
      sessionId: sessionId ?? null,
      theme,
      createdAt: now,
      expiresAt: new Date(now.getTime() + (expiry ?? PORTAL_MAX_EXPIRY_S) * 1000),
    });
    // In the fragment, which browsers never send: the token stays out of every server and proxy log.
    return { url: `${publicBase(config.publicUrl, request)}/portal#key=${token}`, token };
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind === 'operator' && principal.session) {
      await store.operatorSessions.expireSession(principal.session.tokenHash, new Date());
      return reply.code(204).send();
    }
    if (principal.kind !== 'portal') {
      throw new HooklineError(
        'BAD_REQUEST',
        'only app-portal and dashboard session tokens log out; the API token is set by configuration',
      );
    }
    await store.portalTokens.expire(principal.token.tokenHash, new Date());
    return reply.code(204).send();
  });

  app.post<{ Params: AppParams }>('/api/v1/auth/app/:app_id/expire-all', async (request, reply) => {
    const f = Fields.optionalBody(request.body);
    // Svix bounds the grace at a day.
    const expiry = f.nullableInt('expiry', { min: 0, max: 86_400 });
    const sessionIds = f.stringList('sessionIds', { min: 1, max: 256, maxItems: 1000 });
    f.done();
    const application = await loadApp(store, request.params.app_id);
    const at = new Date(Date.now() + (expiry ?? 0) * 1000);
    await store.portalTokens.expireAll(
      application.id,
      at,
      sessionIds && sessionIds.length > 0 ? sessionIds : null,
    );
    return reply.code(204).send();
  });

  /** Hookline's: who the presented token is, so a page knows its application and what to show. */
  app.get('/api/v1/auth/session', async (request) => {
    const principal = principalOf(request);
    if (principal.kind === 'operator') {
      // A dashboard session says when it ends; the API token does not end.
      return principal.session
        ? { kind: 'operator', expiresAt: principal.session.expiresAt.toISOString() }
        : { kind: 'operator' };
    }
    const t = principal.token;
    const application = await loadApp(store, t.appId);
    return {
      kind: 'app-portal',
      appId: application.id,
      appUid: application.uid,
      appName: application.name,
      capabilities: t.capabilities,
      readOnly: !t.capabilities.some((c) => !READ_CAPABILITIES.includes(c)),
      featureFlags: t.featureFlags,
      sessionId: t.sessionId,
      theme: t.theme,
      expiresAt: t.expiresAt.toISOString(),
    };
  });
}
