import { MAX_GRACE_SECONDS } from '../routes/endpoint-secret.js';
import { SECRET, SECRET_KIND } from './endpoints.js';
import type { Operation } from './operation.js';
import {
  anyJson,
  array,
  bool,
  dateTime,
  hookline,
  int,
  nullable,
  object,
  type Schema,
  str,
  stringMap,
} from './schema.js';

const TASK_STATUS = str({ enum: ['running', 'finished', 'failed'] });
const TASK_KIND = str({ description: 'What the task does', examples: ['endpoint.recover'] });
const RECOVER_OUT = {
  id: str({ examples: ['qtask_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
  status: TASK_STATUS,
  task: TASK_KIND,
  updatedAt: dateTime(),
};

export const endpointExtraSchemas: Record<string, Schema> = {
  EndpointSecretOut: object(
    {
      key: str({ examples: ['whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'] }),
      publicKey: hookline(
        nullable(str()),
        'The `whpk_` key that verifies an ed25519 endpoint’s `v1a` signatures (null for HMAC keys)',
      ),
    },
    ['key', 'publicKey'],
  ),
  EndpointSecretRotateIn: object({
    key: nullable(SECRET),
    secretKind: SECRET_KIND,
    gracePeriodSeconds: hookline(
      nullable(int({ minimum: 0, maximum: MAX_GRACE_SECONDS })),
      'How long the old key signs on (default: the server’s, 24 hours)',
    ),
  }),
  EndpointHeadersIn: object({ headers: stringMap({ maxLength: 4096 }) }, ['headers']),
  EndpointHeadersPatchIn: object(
    {
      headers: stringMap({ maxLength: 4096 }),
      deleteHeaders: nullable(array(str({ minLength: 1, maxLength: 256 }))),
    },
    ['headers'],
  ),
  EndpointHeadersOut: object(
    {
      headers: stringMap(),
      sensitive: array(str(), { description: 'Headers whose values are not shown (Authorization...)' }),
    },
    ['headers', 'sensitive'],
  ),
  EndpointStats: object(
    {
      success: int(),
      pending: int(),
      fail: int(),
      sending: int(),
      canceled: int(),
      breaker: hookline(
        object(
          {
            open: bool(),
            nextProbeAt: nullable(dateTime()),
            consecutiveFailures: int(),
            failingSince: nullable(dateTime()),
          },
          ['open', 'nextProbeAt', 'consecutiveFailures', 'failingSince'],
        ),
        'The circuit breaker now, whatever since/until say',
      ),
    },
    ['success', 'pending', 'fail', 'sending', 'canceled', 'breaker'],
  ),
  RecoverIn: object({ since: dateTime(), until: nullable(dateTime()) }, ['since']),
  RecoverOut: object(RECOVER_OUT, Object.keys(RECOVER_OUT)),
  BackgroundTaskOut: object(
    { ...RECOVER_OUT, data: { ...anyJson('What the task reports when it ends'), type: 'object' } },
    [...Object.keys(RECOVER_OUT), 'data'],
  ),
};

const tag = 'Endpoint';
const path = '/api/v1/app/{app_id}/endpoint/{endpoint_id}';

export const endpointExtraOperations: Operation[] = [
  {
    method: 'GET',
    path: `${path}/secret`,
    operationId: 'v1.endpoint.get-secret',
    tag,
    summary: 'Get the endpoint’s signing key',
    responses: { 200: 'EndpointSecretOut' },
  },
  {
    method: 'POST',
    path: `${path}/secret/rotate`,
    operationId: 'v1.endpoint.rotate-secret',
    tag,
    summary: 'Rotate the signing key; the old one signs on for a grace period',
    body: { schema: 'EndpointSecretRotateIn', optional: true },
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: `${path}/headers`,
    operationId: 'v1.endpoint.get-headers',
    tag,
    summary: 'Get the custom headers sent with each delivery',
    responses: { 200: 'EndpointHeadersOut' },
  },
  {
    method: 'PUT',
    path: `${path}/headers`,
    operationId: 'v1.endpoint.update-headers',
    tag,
    summary: 'Replace the custom headers',
    body: { schema: 'EndpointHeadersIn' },
    responses: { 204: null },
  },
  {
    method: 'PATCH',
    path: `${path}/headers`,
    operationId: 'v1.endpoint.patch-headers',
    tag,
    summary: 'Set some custom headers, delete others (`deleteHeaders`)',
    body: { schema: 'EndpointHeadersPatchIn' },
    responses: { 204: null },
  },
  {
    method: 'GET',
    path: `${path}/stats`,
    operationId: 'v1.endpoint.get-stats',
    tag,
    summary: 'Deliveries by status, and the circuit breaker',
    query: [
      { name: 'since', schema: dateTime(), description: 'Count deliveries from this time' },
      { name: 'until', schema: dateTime(), description: 'Count deliveries until this time' },
    ],
    responses: { 200: 'EndpointStats' },
  },
  {
    method: 'POST',
    path: `${path}/recover`,
    operationId: 'v1.endpoint.recover',
    tag,
    summary: 'Resend the failed deliveries since a time (a background task)',
    body: { schema: 'RecoverIn' },
    responses: { 202: 'RecoverOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/background-task/{task_id}',
    operationId: 'v1.background-task.get',
    tag: 'Background Task',
    summary: 'How a background task is doing',
    description: 'Tasks are kept a day, by the process that ran them.',
    responses: { 200: 'BackgroundTaskOut' },
  },
];
