import type { FastifyInstance, HTTPMethods } from 'fastify';
import { HooklineError } from '../../core/errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const WHY = {
  auth: 'Svix dashboard sessions are not served: the Hookline dashboard signs in with the API token',
  connector: 'connectors (transformation templates) are a Svix Cloud feature Hookline does not have',
  environment: 'environment export and import are not implemented by Hookline',
  ingest: 'Svix Ingest (receiving inbound webhooks) is not part of Hookline',
  integration: 'integrations are a Svix Cloud feature Hookline does not have',
  poller:
    'polling endpoints (consumers reading messages instead of receiving POSTs) are not part of Hookline',
  stream: 'Svix Stream is not part of Hookline',
  transformation: 'transformations (code run on each delivery) are not supported by Hookline',
  bulkReplay: 'bulk replay is not implemented; use replay-missing or recover',
  autoConfig: 'endpoint auto-configuration is a Svix Cloud feature Hookline does not have',
} as const;

/**
 * Every route the svix@1.99.1 client calls (its dist/api and dist/api_internal)
 * that Hookline does not serve, with why. Each answers 501 `not_implemented`
 * naming the reason, never a bare 404, so a client learns the feature is
 * missing rather than that its ids are wrong. Listed in docs/api.md; a route
 * another part of Hookline serves is skipped (see registerNotImplemented).
 */
export const NOT_IMPLEMENTED: readonly (readonly [Method, string, string])[] = [
  ['POST', '/api/v1/auth/dashboard-access/{app_id}', WHY.auth],
  ['POST', '/api/v1/auth/stream-portal-access/{stream_id}', WHY.stream],
  ['POST', '/api/v1/auth/stream-logout', WHY.stream],
  ['POST', '/api/v1/auth/stream/{stream_id}/expire-all', WHY.stream],
  ['POST', '/api/v1/auth/stream/{stream_id}/sink/{sink_id}/poller/token/rotate', WHY.stream],
  ['GET', '/api/v1/auth/stream/{stream_id}/sink/{sink_id}/poller/token', WHY.stream],
  ['GET', '/api/v1/connector', WHY.connector],
  ['POST', '/api/v1/connector', WHY.connector],
  ['GET', '/api/v1/connector/{connector_id}', WHY.connector],
  ['PUT', '/api/v1/connector/{connector_id}', WHY.connector],
  ['DELETE', '/api/v1/connector/{connector_id}', WHY.connector],
  ['PATCH', '/api/v1/connector/{connector_id}', WHY.connector],
  ['GET', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation', WHY.transformation],
  ['PATCH', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation', WHY.transformation],
  ['POST', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay', WHY.bulkReplay],
  ['PUT', '/api/v1/app/{app_id}/endpoint/{endpoint_id}/auto-config', WHY.autoConfig],
  ['POST', '/api/v1/environment/export', WHY.environment],
  ['POST', '/api/v1/environment/import', WHY.environment],
  ['POST', '/ingest/api/v1/source/{source_id}/dashboard', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}/endpoint', WHY.ingest],
  ['POST', '/ingest/api/v1/source/{source_id}/endpoint', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}', WHY.ingest],
  ['PUT', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}', WHY.ingest],
  ['DELETE', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/secret', WHY.ingest],
  ['POST', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/secret/rotate', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/headers', WHY.ingest],
  ['PUT', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/headers', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/transformation', WHY.ingest],
  ['PATCH', '/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/transformation', WHY.ingest],
  ['GET', '/ingest/api/v1/source', WHY.ingest],
  ['POST', '/ingest/api/v1/source', WHY.ingest],
  ['GET', '/ingest/api/v1/source/{source_id}', WHY.ingest],
  ['PUT', '/ingest/api/v1/source/{source_id}', WHY.ingest],
  ['DELETE', '/ingest/api/v1/source/{source_id}', WHY.ingest],
  ['POST', '/ingest/api/v1/source/{source_id}/token/rotate', WHY.ingest],
  ['GET', '/api/v1/app/{app_id}/integration', WHY.integration],
  ['POST', '/api/v1/app/{app_id}/integration', WHY.integration],
  ['GET', '/api/v1/app/{app_id}/integration/{integ_id}', WHY.integration],
  ['PUT', '/api/v1/app/{app_id}/integration/{integ_id}', WHY.integration],
  ['DELETE', '/api/v1/app/{app_id}/integration/{integ_id}', WHY.integration],
  ['POST', '/api/v1/app/{app_id}/integration/{integ_id}/key/rotate', WHY.integration],
  ['GET', '/api/v1/app/{app_id}/integration/{integ_id}/key', WHY.integration],
  ['GET', '/api/v1/app/{app_id}/poller/{sink_id}', WHY.poller],
  ['POST', '/api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}/seek', WHY.poller],
  ['GET', '/api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}', WHY.poller],
  ['GET', '/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}', WHY.poller],
  ['POST', '/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}/commit', WHY.poller],
  ['GET', '/api/v1/stream/{stream_id}/sink/{sink_id}/transformation', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}/sink/{sink_id}/headers', WHY.stream],
  ['PATCH', '/api/v1/stream/{stream_id}/sink/{sink_id}/headers', WHY.stream],
  ['GET', '/api/v1/stream/event-type', WHY.stream],
  ['POST', '/api/v1/stream/event-type', WHY.stream],
  ['GET', '/api/v1/stream/event-type/{name}', WHY.stream],
  ['PUT', '/api/v1/stream/event-type/{name}', WHY.stream],
  ['DELETE', '/api/v1/stream/event-type/{name}', WHY.stream],
  ['PATCH', '/api/v1/stream/event-type/{name}', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}/sink/{sink_id}/events', WHY.stream],
  ['POST', '/api/v1/stream/{stream_id}/events', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}/sink', WHY.stream],
  ['POST', '/api/v1/stream/{stream_id}/sink', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}/sink/{sink_id}', WHY.stream],
  ['PUT', '/api/v1/stream/{stream_id}/sink/{sink_id}', WHY.stream],
  ['DELETE', '/api/v1/stream/{stream_id}/sink/{sink_id}', WHY.stream],
  ['PATCH', '/api/v1/stream/{stream_id}/sink/{sink_id}', WHY.stream],
  ['PATCH', '/api/v1/stream/{stream_id}/sink/{sink_id}/transformation', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}/sink/{sink_id}/secret', WHY.stream],
  ['POST', '/api/v1/stream/{stream_id}/sink/{sink_id}/secret/rotate', WHY.stream],
  ['GET', '/api/v1/stream', WHY.stream],
  ['POST', '/api/v1/stream', WHY.stream],
  ['GET', '/api/v1/stream/{stream_id}', WHY.stream],
  ['PUT', '/api/v1/stream/{stream_id}', WHY.stream],
  ['DELETE', '/api/v1/stream/{stream_id}', WHY.stream],
  ['PATCH', '/api/v1/stream/{stream_id}', WHY.stream],
];

/** `{app_id}` (the client's spelling) as Fastify's `:app_id`. */
export const fastifyPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Registers the 501s, after every served route: a route served meanwhile
 * (another part of Hookline, say app portal access) keeps its real handler.
 * Authenticated like any route (registerAuth's hook runs first).
 */
export function registerNotImplemented(app: FastifyInstance): void {
  for (const [method, path, why] of NOT_IMPLEMENTED) {
    const url = fastifyPath(path);
    if (app.hasRoute({ method: method as HTTPMethods, url })) continue;
    app.route({
      method,
      url,
      handler: async () => {
        throw new HooklineError('NOT_IMPLEMENTED', `${method} ${path}: ${why}`);
      },
    });
  }
}
