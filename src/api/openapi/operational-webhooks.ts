import { OPERATIONAL_EVENT_TYPES } from '../../core/operational.js';
import { SECRET } from './endpoints.js';
import type { Operation } from './operation.js';
import { ORDER, PAGE } from './params.js';
import {
  array,
  bool,
  dateTime,
  int,
  listOf,
  MAX_INT,
  nullable,
  object,
  type Schema,
  str,
  stringMap,
  UID,
} from './schema.js';

function operationalIn(withSecret: boolean): Schema {
  return object(
    {
      url: str({ minLength: 1, maxLength: 65_536, format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }),
      description: nullable(str({ maxLength: 16_384 })),
      disabled: nullable(bool()),
      filterTypes: nullable(array(str({ enum: [...OPERATIONAL_EVENT_TYPES] }), { minItems: 1 })),
      metadata: nullable(stringMap()),
      throttleRate: nullable(int({ minimum: 1, maximum: MAX_INT })),
      rateLimit: nullable(int({ minimum: 1, maximum: MAX_INT })),
      uid: nullable(str(UID)),
      ...(withSecret ? { secret: nullable({ ...SECRET, description: 'A `whsec_` key (HMAC only)' }) } : {}),
    },
    ['url'],
  );
}

const OUT: Record<string, Schema> = {
  id: str(),
  uid: nullable(str()),
  url: str({ format: 'uri' }),
  description: str(),
  disabled: bool(),
  filterTypes: nullable(array(str())),
  rateLimit: nullable(int()),
  throttleRate: nullable(int()),
  metadata: stringMap(),
  createdAt: dateTime(),
  updatedAt: dateTime(),
};

export const operationalSchemas: Record<string, Schema> = {
  OperationalWebhookEndpointIn: operationalIn(true),
  OperationalWebhookEndpointUpdate: operationalIn(false),
  OperationalWebhookEndpointOut: object(OUT, Object.keys(OUT)),
  ListResponse_OperationalWebhookEndpointOut_: listOf('OperationalWebhookEndpointOut'),
  OperationalWebhookEndpointSecretOut: object({ key: str() }, ['key']),
  OperationalWebhookEndpointSecretIn: object({ key: nullable({ ...SECRET, description: 'A `whsec_` key' }) }),
  OperationalWebhookEndpointHeadersIn: object({ headers: stringMap({ maxLength: 4096 }) }, ['headers']),
  OperationalWebhookEndpointHeadersOut: object({ headers: stringMap(), sensitive: array(str()) }, [
    'headers',
    'sensitive',
  ]),
};

const tag = 'Operational Webhook';
const base = '/api/v1/operational-webhook/endpoint';
const path = `${base}/{endpoint_id}`;
const op = 'v1.operational-webhook.endpoint';

export const operationalOperations: Operation[] = [
  {
    method: 'GET',
    path: base,
    operationId: `${op}.list`,
    tag,
    summary: 'List the endpoints that receive Hookline’s own events',
    query: [...PAGE, ORDER],
    responses: { 200: 'ListResponse_OperationalWebhookEndpointOut_' },
  },
  {
    method: 'POST',
    path: base,
    operationId: `${op}.create`,
    tag,
    summary: 'Create an operational webhook endpoint',
    body: { schema: 'OperationalWebhookEndpointIn' },
    responses: { 201: 'OperationalWebhookEndpointOut' },
  },
  {
    method: 'GET',
    path,
    operationId: `${op}.get`,
    tag,
    summary: 'Get one',
    responses: { 200: 'OperationalWebhookEndpointOut' },
  },
  {
    method: 'PUT',
    path,
    operationId: `${op}.update`,
    tag,
    summary: 'Replace one',
    body: { schema: 'OperationalWebhookEndpointUpdate' },
    responses: { 200: 'OperationalWebhookEndpointOut' },
  },
  {
    method: 'DELETE',
    path,
    operationId: `${op}.delete`,
    tag,
    summary: 'Delete one',
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: `${path}/secret`,
    operationId: `${op}.get-secret`,
    tag,
    summary: 'Get its signing key',
    responses: { 200: 'OperationalWebhookEndpointSecretOut' },
  },
  {
    method: 'POST',
    path: `${path}/secret/rotate`,
    operationId: `${op}.rotate-secret`,
    tag,
    summary: 'Rotate its signing key (no grace period, as in Svix)',
    body: { schema: 'OperationalWebhookEndpointSecretIn', optional: true },
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: `${path}/headers`,
    operationId: `${op}.get-headers`,
    tag,
    summary: 'Get its custom headers',
    responses: { 200: 'OperationalWebhookEndpointHeadersOut' },
  },
  {
    method: 'PUT',
    path: `${path}/headers`,
    operationId: `${op}.update-headers`,
    tag,
    summary: 'Replace its custom headers',
    body: { schema: 'OperationalWebhookEndpointHeadersIn' },
    responses: { 204: null },
  },
];
