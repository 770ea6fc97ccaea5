import type { FastifyInstance } from 'fastify';
import { MAX_SECRET_GRACE_MS } from '../../config.js';
import type { EndpointSecret } from '../../core/model.js';
import { secretKind } from '../../core/signing.js';
import { type ApiContext, type EndpointParams, loadEndpoint } from '../context.js';
import { inputOf } from '../endpoint-input.js';
import { generateSecret, readSecret, readSecretKind, secretOut } from '../secret-input.js';
import { Fields } from '../validate.js';

/** Older secrets kept signing at once; more would bloat every signature header. */
export const MAX_PREVIOUS_SECRETS = 10;
/** Larger `gracePeriodSeconds` is a 422 rather than clamped, so a caller never believes in a longer grace. */
export const MAX_GRACE_SECONDS = MAX_SECRET_GRACE_MS / 1000;

/**
 * The secrets after a rotation: the new key is current, the old current one
 * signs on until `now + graceMs` (dropped at once when the grace is 0), and
 * expired or surplus older keys are dropped.
 */
export function rotateSecrets(
  secrets: readonly EndpointSecret[],
  newKey: string,
  graceMs: number,
  now: Date,
): EndpointSecret[] {
  const until = new Date(now.getTime() + graceMs);
  const previous = secrets
    .filter((s) => s.key !== newKey)
    .map((s) => (s.expiresAt === null ? { key: s.key, expiresAt: until } : s))
    .filter((s) => s.expiresAt !== null && s.expiresAt.getTime() > now.getTime())
    .slice(0, MAX_PREVIOUS_SECRETS);
  return [{ key: newKey, expiresAt: null }, ...previous];
}

export function endpointSecretRoutes(app: FastifyInstance, { store, config }: ApiContext): void {
  const path = '/api/v1/app/:app_id/endpoint/:endpoint_id/secret';

  app.get<{ Params: EndpointParams }>(path, async (request) => {
    const { endpoint } = await loadEndpoint(store, request.params);
    return secretOut(endpoint.secrets[0]?.key ?? '');
  });

  app.post<{ Params: EndpointParams }>(`${path}/rotate`, async (request, reply) => {
    const { app: application, endpoint } = await loadEndpoint(store, request.params);
    // The Svix client always sends `{}`; a bare POST is accepted too.
    const f = Fields.optionalBody(request.body);
    const key = readSecret(f, 'key');
    const kind = readSecretKind(f, key, 'key');
    const graceSeconds = f.nullableInt('gracePeriodSeconds', { min: 0, max: MAX_GRACE_SECONDS });
    f.done();
    // Config is validated at the edge; the clamp covers configs built in code.
    const graceMs =
      graceSeconds != null ? graceSeconds * 1000 : Math.min(config.secretGracePeriodMs, MAX_SECRET_GRACE_MS);
    // Built on the secrets as they are under the update's lock, so a rotation running
    // meanwhile is kept, and a worker's disable is not undone.
    await store.endpoints.update(application.id, endpoint.id, (current) => {
      const currentKey = current.secrets[0]?.key;
      // A generated key keeps the endpoint's kind unless asked otherwise, so ed25519 receivers keep working.
      const newKey =
        key ?? generateSecret(kind ?? (currentKey !== undefined ? secretKind(currentKey) : 'hmac'));
      return { ...inputOf(current), secrets: rotateSecrets(current.secrets, newKey, graceMs, new Date()) };
    });
    return reply.code(204).send();
  });
}
