import type { FastifyRequest } from 'fastify';
import { HooklineError } from '../core/errors.js';
import type { PortalCapability, PortalToken } from '../core/portal-token.js';
import type { Store } from '../store/store.js';

const APP = '/api/v1/app/:app_id';
const ENDPOINT = `${APP}/endpoint/:endpoint_id`;

/**
 * What an app-portal token may call: each route it can reach, with the
 * capabilities that open it (any one of them). Routes not listed answer 403
 * to such a token whatever it holds: other applications' lists, application
 * writes, event-type writes, operational webhooks, background tasks, the
 * issuing of tokens. One table, so what a customer can do is read in one place.
 */
const ROUTES: Record<string, readonly PortalCapability[]> = {
  // Reading the app, its endpoints, messages and attempts.
  [`GET ${APP}`]: ['ViewBase'],
  [`GET ${APP}/endpoint`]: ['ViewBase'],
  [`GET ${ENDPOINT}`]: ['ViewBase'],
  [`GET ${ENDPOINT}/stats`]: ['ViewBase'],
  [`GET ${ENDPOINT}/headers`]: ['ViewBase'],
  [`GET ${ENDPOINT}/msg`]: ['ViewBase'],
  [`GET ${APP}/msg`]: ['ViewBase'],
  [`GET ${APP}/msg/:msg_id`]: ['ViewBase'],
  [`GET ${APP}/msg/:msg_id/endpoint`]: ['ViewBase'],
  [`GET ${APP}/attempt/msg/:msg_id`]: ['ViewBase'],
  [`GET ${APP}/attempt/endpoint/:endpoint_id`]: ['ViewBase'],
  [`GET ${APP}/msg/:msg_id/attempt/:attempt_id`]: ['ViewBase'],
  // The event-type catalogue, to pick from (feature-flagged types are hidden from tokens without the flag).
  'GET /api/v1/event-type': ['ViewBase'],
  'GET /api/v1/event-type/:event_type_name': ['ViewBase'],
  // Who am I, and signing out.
  'GET /api/v1/auth/session': ['ViewBase'],
  'POST /api/v1/auth/logout': ['ViewBase'],
  // The signing secret: seen, rotated.
  [`GET ${ENDPOINT}/secret`]: ['ViewEndpointSecret', 'ManageEndpointSecret', 'ManageEndpoint'],
  [`POST ${ENDPOINT}/secret/rotate`]: ['ManageEndpointSecret', 'ManageEndpoint'],
  // Endpoint configuration.
  [`POST ${APP}/endpoint`]: ['ManageEndpoint'],
  [`PUT ${ENDPOINT}`]: ['ManageEndpoint'],
  [`PATCH ${ENDPOINT}`]: ['ManageEndpoint'],
  [`DELETE ${ENDPOINT}`]: ['ManageEndpoint'],
  [`PUT ${ENDPOINT}/headers`]: ['ManageEndpoint'],
  [`PATCH ${ENDPOINT}/headers`]: ['ManageEndpoint'],
  [`POST ${APP}/msg/:msg_id/endpoint/:endpoint_id/skip`]: ['ManageEndpoint'],
  // Sending: resend, recover, an example event.
  [`POST ${APP}/msg/:msg_id/endpoint/:endpoint_id/resend`]: ['CreateAttempts'],
  [`POST ${ENDPOINT}/recover`]: ['CreateAttempts'],
  [`POST ${ENDPOINT}/send-example`]: ['CreateAttempts'],
};

/** The capabilities that open a route to an app-portal token; null when none does. */
export function portalRouteCapabilities(
  method: string,
  routeUrl: string,
): readonly PortalCapability[] | null {
  // Fastify answers HEAD from the GET route.
  const verb = method === 'HEAD' ? 'GET' : method;
  return ROUTES[`${verb} ${routeUrl}`] ?? null;
}

const forbidden = (detail: string) => new HooklineError('FORBIDDEN', detail);

/**
 * Throws FORBIDDEN unless the token may call this route: listed above, with
 * one of its capabilities, and on the token's own application (by id or uid;
 * an app that does not exist reads as another app, so a token learns nothing
 * about the rest).
 */
export async function authorizePortal(
  request: FastifyRequest,
  token: PortalToken,
  store: Store,
): Promise<void> {
  const needs = portalRouteCapabilities(request.method, request.routeOptions.url ?? '');
  if (needs === null) throw forbidden('an app-portal token cannot use this route');
  if (!needs.some((c) => token.capabilities.includes(c))) {
    throw forbidden(`this app-portal token lacks the capability for this route (${needs.join(' or ')})`);
  }
  const appParam = (request.params as { app_id?: string } | undefined)?.app_id;
  if (appParam === undefined || appParam === token.appId) return;
  const app = await store.apps.get(appParam);
  if (app?.id !== token.appId) throw forbidden('this app-portal token is for another application');
}
