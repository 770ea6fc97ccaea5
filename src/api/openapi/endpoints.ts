import type { Operation } from './operation.js';
import { ORDER, PAGE } from './params.js';
import {
  array,
  bool,
  dateTime,
  hookline,
  int,
  listOf,
  MAX_INT,
  NAME,
  nullable,
  object,
  type Schema,
  str,
  stringMap,
  UID,
} from './schema.js';

type Mode = 'create' | 'update' | 'patch';

export const SECRET = str({
  maxLength: 1024,
  pattern: '^(whsec|whsk)_[A-Za-z0-9+/]+={0,2}$',
  description:
    'A `whsec_` (HMAC: 24 to 64 base64 bytes) or `whsk_` (ed25519: seed and public key, 64 base64 bytes) key; null or absent generates one',
  examples: ['whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'],
});
export const SECRET_KIND = hookline(
  nullable(str({ enum: ['hmac', 'ed25519'] })),
  'The kind of key to generate when none is given',
);
const rate = (what: string) => nullable(int({ minimum: 1, maximum: MAX_INT, description: what }));

/** The fields of EndpointIn, EndpointUpdate and EndpointPatch (api/endpoint-input.ts reads them). */
function endpointIn(mode: Mode): Schema {
  const url = str({
    minLength: 1,
    maxLength: 65_536,
    format: 'uri',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    description: 'An absolute http(s) URL without credentials; IP literals on private networks are refused',
    examples: ['https://shop.example/webhooks'],
  });
  return object(
    {
      url: mode === 'patch' ? nullable(url) : url,
      description: nullable(str({ maxLength: 16_384 })),
      version: nullable(int({ minimum: 1, maximum: MAX_INT })),
      throttleRate: rate('Maximum deliveries per second'),
      rateLimit: rate('The older name of throttleRate; either is accepted'),
      disabled: nullable(bool()),
      filterTypes: nullable(
        array(str(NAME), { minItems: 1, maxItems: 256, description: 'Event types to receive (null: all)' }),
      ),
      channels: nullable(array(str({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 10 })),
      metadata: nullable(stringMap()),
      uid: nullable(
        str({ ...UID, description: 'Your own unique identifier; never shaped like an id (ep_...)' }),
      ),
      ...(mode !== 'update' ? { secret: nullable(SECRET) } : {}),
      ...(mode === 'create'
        ? { secretKind: SECRET_KIND, headers: nullable(stringMap({ maxLength: 4096 })) }
        : {}),
      maxInFlight: hookline(
        nullable(int({ minimum: 1, maximum: MAX_INT })),
        'Cap on this endpoint’s deliveries in flight at once, across all workers (null: no cap); kept when absent',
      ),
      ordered: hookline(nullable(bool()), 'Deliver one at a time in accept order; kept when absent'),
    },
    mode === 'patch' ? [] : ['url'],
  );
}

/** The endpoint fields of EndpointOut and MessageEndpointOut (api/out.ts endpointBase). */
export const ENDPOINT_BASE: Record<string, Schema> = {
  id: str({ examples: ['ep_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
  uid: nullable(str()),
  url: str({ format: 'uri' }),
  description: str(),
  version: int(),
  rateLimit: nullable(int()),
  throttleRate: nullable(int()),
  disabled: bool(),
  filterTypes: nullable(array(str())),
  channels: nullable(array(str())),
  createdAt: dateTime(),
  updatedAt: dateTime(),
};

export const endpointSchemas: Record<string, Schema> = {
  EndpointIn: endpointIn('create'),
  EndpointUpdate: endpointIn('update'),
  EndpointPatch: endpointIn('patch'),
  EndpointOut: object(
    {
      ...ENDPOINT_BASE,
      metadata: stringMap(),
      maxInFlight: hookline(nullable(int()), 'Cap on deliveries in flight at once (null: no cap)'),
      ordered: hookline(bool(), 'Delivered one at a time in accept order'),
      disabledReason: hookline(
        str(),
        'Why Hookline disabled it (sent only while it is disabled by Hookline)',
      ),
    },
    [...Object.keys(ENDPOINT_BASE), 'metadata', 'maxInFlight', 'ordered'],
  ),
  ListResponse_EndpointOut_: listOf('EndpointOut'),
};

const tag = 'Endpoint';
const path = '/api/v1/app/{app_id}/endpoint/{endpoint_id}';

export const endpointOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/endpoint',
    operationId: 'v1.endpoint.list',
    tag,
    summary: 'List an application’s endpoints',
    query: [...PAGE, ORDER],
    responses: { 200: 'ListResponse_EndpointOut_' },
  },
  {
    method: 'POST',
    path: '/api/v1/app/{app_id}/endpoint',
    operationId: 'v1.endpoint.create',
    tag,
    summary: 'Create an endpoint',
    body: { schema: 'EndpointIn' },
    responses: { 201: 'EndpointOut' },
  },
  {
    method: 'GET',
    path,
    operationId: 'v1.endpoint.get',
    tag,
    summary: 'Get an endpoint',
    responses: { 200: 'EndpointOut' },
  },
  {
    method: 'PUT',
    path,
    operationId: 'v1.endpoint.update',
    tag,
    summary: 'Replace an endpoint',
    body: { schema: 'EndpointUpdate' },
    responses: { 200: 'EndpointOut' },
  },
  {
    method: 'PATCH',
    path,
    operationId: 'v1.endpoint.patch',
    tag,
    summary: 'Change some fields of an endpoint',
    description: 'A `secret` here replaces every key at once, with no grace period: rotate instead.',
    body: { schema: 'EndpointPatch' },
    responses: { 200: 'EndpointOut' },
  },
  {
    method: 'DELETE',
    path,
    operationId: 'v1.endpoint.delete',
    tag,
    summary: 'Delete an endpoint',
    responses: { 204: null },
  },
];
