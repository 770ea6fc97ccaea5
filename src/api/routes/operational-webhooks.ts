import type { FastifyInstance } from 'fastify';
import { HooklineError, invalid, notFound } from '../../core/errors.js';
import type { Endpoint } from '../../core/model.js';
import { generateHmacSecret, secretKind, validateSecret } from '../../core/signing.js';
import { OPERATIONAL_APP_ID, OPERATIONAL_APP_NAME, OPERATIONAL_EVENT_TYPES } from '../../core/operational.js';
import type { Store } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { inputOf, readEndpoint } from '../endpoint-input.js';
import { checkHeaders, headersOut } from '../headers.js';
import { listOut, Query } from '../query.js';
import { targetUrlCheck } from '../target-url.js';
import { Fields } from '../validate.js';
import { rotateSecrets } from './endpoint-secret.js';

/** Svix OperationalWebhookEndpointOut. */
export function operationalEndpointOut(ep: Endpoint) {
  return {
    id: ep.id,
    uid: ep.uid,
    url: ep.url,
    description: ep.description,
    disabled: ep.disabled,
    filterTypes: ep.filterTypes,
    rateLimit: ep.rateLimit,
    throttleRate: ep.rateLimit,
    metadata: ep.metadata,
    createdAt: ep.createdAt.toISOString(),
    updatedAt: ep.updatedAt.toISOString(),
  };
}

/** The hidden application holding the operational endpoints, created on first use. */
async function operationalApp(store: Store): Promise<string> {
  // By id only: apps.get also matches uids, and no user app may stand in for this one.
  if ((await store.apps.get(OPERATIONAL_APP_ID))?.id === OPERATIONAL_APP_ID) return OPERATIONAL_APP_ID;
  const input = { uid: null, name: OPERATIONAL_APP_NAME, rateLimit: null, metadata: {} };
  try {
    await store.apps.create(input, OPERATIONAL_APP_ID);
  } catch (err) {
    // Two first registrations racing: the other one created it.
    if (!(err instanceof HooklineError && err.code === 'CONFLICT')) throw err;
  }
  return OPERATIONAL_APP_ID;
}

/**
 * Operational endpoints sign with HMAC only, as in Svix: their receivers use
 * the Svix and Standard Webhooks verifiers, which check `v1` and not `v1a`,
 * and their secret route returns the key with no public half.
 */
function checkHmacOnly(f: Fields, secrets: readonly { key: string }[]): void {
  // A whsk_ key is either supplied as `secret` or generated for `secretKind: "ed25519"`.
  if (secrets.some((s) => secretKind(s.key) !== 'hmac')) {
    f.fail(
      f.has('secret') ? 'secret' : 'secretKind',
      'operational webhook endpoints sign with HMAC (whsec_) only',
    );
  }
}

function checkFilterTypes(f: Fields, types: string[] | null): void {
  for (const [i, t] of (types ?? []).entries()) {
    if (!(OPERATIONAL_EVENT_TYPES as readonly string[]).includes(t)) {
      f.failAt(
        ['filterTypes', i],
        `unknown operational event type; expected one of ${OPERATIONAL_EVENT_TYPES.join(', ')}`,
      );
    }
  }
}

/**
 * `/api/v1/operational-webhook/endpoint` in the Svix shape: endpoints that
 * receive Hookline's own signed events (endpoint.disabled, endpoint.enabled,
 * message.attempt.exhausted, message.attempt.failing). They are endpoints of a
 * hidden application, so their deliveries are stored, retried and logged
 * like any other.
 */
export function operationalWebhookRoutes(app: FastifyInstance, { store, config }: ApiContext): void {
  const checkUrl = targetUrlCheck(config);
  const base = '/api/v1/operational-webhook/endpoint';
  type Params = { endpoint_id: string };
  const load = async (id: string): Promise<Endpoint> => {
    const ep = await store.endpoints.get(OPERATIONAL_APP_ID, id);
    if (!ep) throw notFound('operational webhook endpoint');
    return ep;
  };

  app.get(base, async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    q.oneOf('order', ['ascending'] as const);
    q.done();
    return listOut(await store.endpoints.list(OPERATIONAL_APP_ID, page), (e) => e.id, operationalEndpointOut);
  });

  app.post(base, async (request, reply) => {
    const f = Fields.body(request.body);
    const input = readEndpoint(f, 'create', null, checkUrl);
    checkFilterTypes(f, input.filterTypes);
    checkHmacOnly(f, input.secrets);
    f.done();
    const appId = await operationalApp(store);
    return reply.code(201).send(operationalEndpointOut(await store.endpoints.create(appId, input)));
  });

  app.get<{ Params: Params }>(`${base}/:endpoint_id`, async (request) =>
    operationalEndpointOut(await load(request.params.endpoint_id)),
  );

  app.put<{ Params: Params }>(`${base}/:endpoint_id`, async (request) => {
    const ep = await load(request.params.endpoint_id);
    const updated = await store.endpoints.update(OPERATIONAL_APP_ID, ep.id, (current) => {
      const f = Fields.body(request.body);
      const input = readEndpoint(f, 'update', inputOf(current), checkUrl);
      checkFilterTypes(f, input.filterTypes);
      f.done();
      return input;
    });
    return operationalEndpointOut(updated);
  });

  app.delete<{ Params: Params }>(`${base}/:endpoint_id`, async (request, reply) => {
    const ep = await load(request.params.endpoint_id);
    await store.endpoints.delete(OPERATIONAL_APP_ID, ep.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>(`${base}/:endpoint_id/secret`, async (request) => {
    const ep = await load(request.params.endpoint_id);
    return { key: ep.secrets[0]?.key ?? '' };
  });

  app.post<{ Params: Params }>(`${base}/:endpoint_id/secret/rotate`, async (request, reply) => {
    const ep = await load(request.params.endpoint_id);
    const f = Fields.optionalBody(request.body);
    const key = f.nullableString('key', { max: 1024 });
    f.done();
    if (typeof key === 'string') {
      validateSecret(key, ['body', 'key']);
      if (secretKind(key) !== 'hmac') {
        throw invalid(['body', 'key'], 'operational webhook endpoints sign with HMAC (whsec_) only');
      }
    }
    // Operational secrets rotate without a grace period, as in Svix.
    await store.endpoints.update(OPERATIONAL_APP_ID, ep.id, (current) => ({
      ...inputOf(current),
      secrets: rotateSecrets(current.secrets, key ?? generateHmacSecret(), 0, new Date()),
    }));
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>(`${base}/:endpoint_id/headers`, async (request) =>
    headersOut((await load(request.params.endpoint_id)).headers),
  );

  app.put<{ Params: Params }>(`${base}/:endpoint_id/headers`, async (request, reply) => {
    const ep = await load(request.params.endpoint_id);
    const f = Fields.body(request.body);
    const headers = f.stringMap('headers', { required: true, maxValue: 4096 });
    checkHeaders(f, 'headers', headers);
    f.done();
    await store.endpoints.update(OPERATIONAL_APP_ID, ep.id, (current) => ({
      ...inputOf(current),
      headers: headers ?? {},
    }));
    return reply.code(204).send();
  });
}
