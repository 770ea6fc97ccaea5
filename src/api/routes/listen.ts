import type { FastifyInstance } from 'fastify';
import { conflict, HooklineError, notFound } from '../../core/errors.js';
import type { Endpoint } from '../../core/model.js';
import { isRelayUrl, type RelayHub, relayUrl } from '../../delivery/relay.js';
import { type ApiContext, type AppParams, type EndpointParams, loadApp, loadEndpoint } from '../context.js';
import { inputOf } from '../endpoint-input.js';
import { generateSecret } from '../secret-input.js';
import type { StreamRegistry } from '../sse.js';
import { Fields, NAME_PATTERN } from '../validate.js';

/** A listen endpoint's uid: one per application and session name, so a restarted CLI finds its endpoint again. */
const uidOf = (name: string): string => `listen-${name}`;

function sessionOut(endpoint: Endpoint) {
  return {
    endpointId: endpoint.id,
    uid: endpoint.uid,
    url: endpoint.url,
    filterTypes: endpoint.filterTypes,
    // The dev secret, stable across CLI restarts: the local receiver keeps verifying with it.
    secret: endpoint.secrets[0]?.key ?? null,
  };
}

/**
 * `hookline listen` (delivery/relay.ts):
 *
 *   POST /api/v1/app/{app_id}/listen  {name?, filterTypes?}  -> 200 {endpointId, uid, url, filterTypes, secret}
 *     finds or creates the session's endpoint (uid `listen-<name>`, URL `hookline-listen://<name>`),
 *     sets its filterTypes (null: every event type) and enables it.
 *   GET  /api/v1/app/{app_id}/listen/{endpoint_id}/stream     -> text/event-stream
 *     `event: delivery` per attempt, data {requestId, msgId, eventType, attempt, headers, body}.
 *   POST /api/v1/app/{app_id}/listen/{endpoint_id}/result {requestId, statusCode, body, durationMs, error?} -> 204
 *     the local receiver's answer, recorded as the attempt; 404 when nothing waits for it any more.
 *
 * Without a relay hub (an API-only process: its worker runs elsewhere and
 * could not hand deliveries to this process's streams) every route answers
 * 409 saying so.
 */
export function listenRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  streams: StreamRegistry,
  relay: RelayHub | null,
): void {
  const { store } = ctx;
  const hub = (): RelayHub => {
    if (relay) return relay;
    throw new HooklineError(
      'CONFLICT',
      '`hookline listen` needs a server whose API and worker run in one process (--role all); ' +
        'this process serves the API only, so no worker here could hand it deliveries',
    );
  };

  app.post<{ Params: AppParams }>('/api/v1/app/:app_id/listen', async (request) => {
    hub();
    const application = await loadApp(store, request.params.app_id);
    const f = Fields.optionalBody(request.body);
    const name = f.string('name', { min: 1, max: 64, pattern: NAME_PATTERN }) ?? 'default';
    const filterTypes = f.stringList('filterTypes', {
      min: 1,
      max: 256,
      pattern: NAME_PATTERN,
      maxItems: 256,
    });
    f.done();
    const existing = await store.endpoints.get(application.id, uidOf(name));
    if (existing && !isRelayUrl(existing.url)) {
      throw conflict(`endpoint ${uidOf(name)} exists and is not a listen endpoint; choose another --name`);
    }
    const endpoint = existing
      ? await store.endpoints.update(application.id, existing.id, (current) => ({
          ...inputOf(current),
          filterTypes: filterTypes && filterTypes.length > 0 ? filterTypes : null,
          disabled: false,
          disabledReason: null,
        }))
      : await store.endpoints.create(application.id, {
          uid: uidOf(name),
          url: relayUrl(name),
          description: `hookline listen session "${name}"`,
          version: 1,
          rateLimit: null,
          disabled: false,
          disabledReason: null,
          filterTypes: filterTypes && filterTypes.length > 0 ? filterTypes : null,
          channels: null,
          metadata: {},
          headers: {},
          secrets: [{ key: generateSecret('hmac'), expiresAt: null }],
          maxInFlight: null,
          ordered: false,
        });
    return sessionOut(endpoint);
  });

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:app_id/listen/:endpoint_id/stream',
    async (request, reply) => {
      const relayHub = hub();
      const { endpoint } = await loadEndpoint(store, request.params);
      if (!isRelayUrl(endpoint.url)) throw notFound('listen endpoint');
      const stream = streams.open(request, reply);
      // A newer connection for the endpoint replaces this one; either ending fails what waits on it (retried).
      const session = relayHub.connect(endpoint.id, (delivery) => stream.send('delivery', delivery));
      stream.signal.addEventListener('abort', () => session.close(), { once: true });
      stream.send('ready', { endpointId: endpoint.id });
      // The receiver is back: what waited for a retry (or an open breaker's probe) comes now,
      // not on its schedule; this process's worker looks at once.
      await store.queue.hurry(endpoint.appId, endpoint.id).catch((err: unknown) => {
        ctx.log.warn({ err }, 'listen: could not bring waiting deliveries forward; they come on schedule');
      });
      ctx.wake();
    },
  );

  app.post<{ Params: EndpointParams }>(
    '/api/v1/app/:app_id/listen/:endpoint_id/result',
    async (request, reply) => {
      const relayHub = hub();
      const f = Fields.body(request.body);
      const requestId = f.string('requestId', { required: true, min: 1, max: 64 });
      const statusCode = f.int('statusCode', { min: 0, max: 999 });
      const body = f.string('body', { max: 1_048_576 }) ?? '';
      const durationMs = f.int('durationMs', { min: 0, max: 86_400_000 }) ?? 0;
      const error = f.string('error', { max: 4096 });
      f.done();
      const { endpoint } = await loadEndpoint(store, request.params);
      const taken = relayHub.report(endpoint.id, requestId ?? '', {
        statusCode: statusCode ?? 0,
        body,
        durationMs,
        error,
      });
      if (!taken) throw notFound('relay request (it timed out, or its session ended)');
      return reply.code(204).send();
    },
  );
}
