import type { Endpoint } from '../core/model.js';
import type { EndpointInput } from '../store/store.js';
import { checkHeaders } from './headers.js';
import { generateSecret, readSecret, readSecretKind } from './secret-input.js';
import type { TargetUrlCheck } from './target-url.js';
import { eitherRate, type Fields, NAME_PATTERN, readUid } from './validate.js';

/**
 * EndpointIn (create), EndpointUpdate (PUT) and EndpointPatch (PATCH).
 *
 * create and PUT set every Svix field (absent = Svix default); PATCH changes
 * only what is sent. Hookline's own fields (`maxInFlight`, `ordered`) keep
 * their stored value when absent even on PUT, because Svix SDKs never send
 * them and a PUT from one must not silently reset them.
 */
export type EndpointMode = 'create' | 'update' | 'patch';

const MAX_INT = 2_147_483_647;
/**
 * Event types one endpoint may filter on. Routing reads every enabled
 * endpoint's list on each accepted message, so an unbounded list (20
 * endpoints with 100,000 types each made every accept take 300 ms) would let
 * one API client slow every accept; real subscriptions are far smaller, and
 * an endpoint that wants more usually wants no filter at all.
 */
export const MAX_FILTER_TYPES = 256;

export function inputOf(ep: Endpoint): EndpointInput {
  const { id: _i, appId: _a, createdAt: _c, updatedAt: _u, ...input } = ep;
  return input;
}

/**
 * Reads the body onto `base` (the stored endpoint for update/patch); `checkUrl`
 * applies the SSRF policy to the URL (api/target-url.ts).
 */
export function readEndpoint(
  f: Fields,
  mode: EndpointMode,
  base: EndpointInput | null,
  checkUrl: TargetUrlCheck,
): EndpointInput {
  const url = checkUrl(f, 'url', f.string('url', { required: mode !== 'patch', min: 1, max: 65_536 }));
  const description = f.string('description', { max: 16_384 });
  const version = f.nullableInt('version', { min: 1, max: MAX_INT });
  const rateLimit = f.nullableInt('rateLimit', { min: 1, max: MAX_INT });
  const throttleRate = f.nullableInt('throttleRate', { min: 1, max: MAX_INT });
  const disabled = f.bool('disabled');
  const filterTypes = f.stringList('filterTypes', {
    min: 1,
    max: 256,
    pattern: NAME_PATTERN,
    maxItems: MAX_FILTER_TYPES,
  });
  const channels = f.stringList('channels', { min: 1, max: 128, maxItems: 10 });
  // An empty list would read as "everything" (core/filter.ts); Svix refuses it too.
  if (filterTypes?.length === 0) f.fail('filterTypes', 'must have at least 1 item, or be null for all');
  if (channels?.length === 0) f.fail('channels', 'must have at least 1 item, or be null for all');
  const metadata = f.stringMap('metadata');
  const uid = readUid(f);
  const secret = mode === 'update' ? undefined : readSecret(f, 'secret');
  // Only on create: on PATCH a new kind would replace the key with no grace period (rotate instead).
  const kind = mode === 'create' ? readSecretKind(f, secret, 'secret') : undefined;
  const headers = mode === 'create' ? f.stringMap('headers', { maxValue: 4096 }) : undefined;
  checkHeaders(f, 'headers', headers);
  const maxInFlight = f.nullableInt('maxInFlight', { min: 1, max: MAX_INT });
  const ordered = f.bool('ordered');

  const keep = mode === 'patch' ? base : null;
  const rate = eitherRate(rateLimit, throttleRate);
  const pick = <T>(given: T | undefined, fallback: T): T => (given !== undefined ? given : fallback);
  const secrets = secret ? [{ key: secret, expiresAt: null }] : (base?.secrets ?? []);
  const isDisabled = pick(disabled, keep?.disabled ?? false);
  return {
    url: url ?? base?.url ?? '',
    description: pick(description, keep?.description ?? ''),
    version: version ?? base?.version ?? 1,
    rateLimit: pick(rate, keep ? keep.rateLimit : null),
    disabled: isDisabled,
    // Hookline's reason survives only while the endpoint stays disabled without the user touching it.
    disabledReason: isDisabled && disabled === undefined ? (base?.disabledReason ?? null) : null,
    filterTypes: pick(filterTypes, keep ? keep.filterTypes : null),
    channels: pick(channels, keep ? keep.channels : null),
    metadata: metadata ?? keep?.metadata ?? {},
    uid: pick(uid, keep ? keep.uid : null),
    headers: headers ?? base?.headers ?? {},
    secrets: secrets.length > 0 ? secrets : [{ key: generateSecret(kind ?? 'hmac'), expiresAt: null }],
    maxInFlight: pick(maxInFlight, base ? base.maxInFlight : null),
    ordered: ordered ?? base?.ordered ?? false,
  };
}
