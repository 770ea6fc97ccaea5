import { ENDPOINT_BASE } from './endpoints.js';
import type { Operation } from './operation.js';
import { EXPANDED_STATUSES, MESSAGE_FILTERS, PAGE, STATUS, WITH_CONTENT } from './params.js';
import {
  anyJson,
  array,
  dateTime,
  hookline,
  int,
  listOf,
  NAME,
  nullable,
  object,
  ref,
  type Schema,
  str,
  UID,
} from './schema.js';

const MESSAGE_OUT: Record<string, Schema> = {
  id: str({ examples: ['msg_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
  eventType: str(),
  eventId: nullable(str()),
  payload: anyJson('The payload as sent (`{}` with `with_content=false`)'),
  channels: nullable(array(str())),
  tags: nullable(array(str())),
  timestamp: dateTime(),
};
/** The delivery state of a message at an endpoint (api/out.ts statusOf). */
const DELIVERY_STATE: Record<string, Schema> = {
  status: int({ enum: [0, 1, 2, 3, 4], description: '0 success, 1 pending, 2 fail, 3 sending, 4 canceled' }),
  statusText: str({ enum: ['success', 'pending', 'fail', 'sending', 'canceled'] }),
  nextAttempt: nullable(dateTime()),
};
const ERROR_CLASSES = [
  'dns',
  'connect',
  'timeout',
  'tls',
  'redirect',
  'http',
  'blocked',
  'headers',
  'relay',
  'other',
];
const ATTEMPT_OUT: Record<string, Schema> = {
  id: str({ examples: ['atmpt_2yZwUhtgs1Ai8T9SgZlXuxygN3j'] }),
  msgId: str(),
  endpointId: str(),
  url: str({ format: 'uri' }),
  response: str({ description: 'The response body, or the transport error, cut at 4 KiB' }),
  responseStatusCode: int({ description: '0 when no HTTP response arrived' }),
  responseDurationMs: int(),
  status: int({ enum: [0, 2], description: '0 success, 2 fail' }),
  statusText: str({ enum: ['success', 'fail'] }),
  triggerType: int({ enum: [0, 1], description: '0 scheduled, 1 manual (resend)' }),
  timestamp: dateTime(),
  errorClass: hookline(
    nullable(str({ enum: ERROR_CLASSES })),
    'Why it failed: `http` for a non-2xx answer, else the transport failure (`blocked`: SSRF guard); null on success',
  ),
};

export const messageSchemas: Record<string, Schema> = {
  MessageIn: object(
    {
      eventType: str({ ...NAME, examples: ['payment.succeeded'] }),
      payload: anyJson('Any JSON value; stored and signed byte for byte as sent'),
      eventId: nullable(str({ ...UID, description: 'Your id for the event; unique per application' })),
      channels: nullable(array(str({ minLength: 1, maxLength: 128 }), { maxItems: 10 })),
      tags: nullable(array(str({ minLength: 1, maxLength: 128 }), { maxItems: 10 })),
      deliverAt: {
        type: 'null',
        description: 'Scheduled delivery is not supported by Hookline (422 if set)',
      },
      payloadRetentionPeriod: nullable(
        int({ minimum: 1, description: 'Checked and ignored: retention is server-wide' }),
      ),
      payloadRetentionHours: nullable(
        int({ minimum: 1, description: 'Checked and ignored: retention is server-wide' }),
      ),
      application: nullable({
        ...ref('ApplicationIn'),
        description: 'Creates the application (uid: the path’s app_id) when the path names none yet',
      }),
    },
    ['eventType', 'payload'],
  ),
  MessageOut: object(MESSAGE_OUT, Object.keys(MESSAGE_OUT)),
  ListResponse_MessageOut_: listOf('MessageOut'),
  MessageBatchIn: object(
    {
      // Items are checked one by one: an invalid item is answered 422 on its own, the rest stored.
      messages: array(
        anyJson(
          'A MessageIn (its `application` is not read: the app must exist); anything else is answered 422',
        ),
        { minItems: 1, maxItems: 1000 },
      ),
    },
    ['messages'],
  ),
  MessageBatchOut: object(
    {
      data: array({
        oneOf: [
          object({ status: int({ enum: [202] }), message: ref('MessageOut') }, ['status', 'message']),
          object(
            {
              status: int({
                enum: [409, 422],
                description: '409: eventId already used; 422: not a valid MessageIn',
              }),
              error: { oneOf: [ref('HttpErrorOut'), ref('HTTPValidationError')] },
            },
            ['status', 'error'],
          ),
        ],
      }),
    },
    ['data'],
  ),
  MessageEndpointOut: object({ ...ENDPOINT_BASE, ...DELIVERY_STATE }, [
    ...Object.keys(ENDPOINT_BASE),
    ...Object.keys(DELIVERY_STATE),
  ]),
  ListResponse_MessageEndpointOut_: listOf('MessageEndpointOut'),
  EndpointMessageOut: object({ ...MESSAGE_OUT, ...DELIVERY_STATE }, [
    ...Object.keys(MESSAGE_OUT),
    ...Object.keys(DELIVERY_STATE),
  ]),
  ListResponse_EndpointMessageOut_: listOf('EndpointMessageOut'),
  MessageAttemptOut: object(
    { ...ATTEMPT_OUT, msg: { ...ref('MessageOut'), description: 'The message, with `with_msg=true`' } },
    Object.keys(ATTEMPT_OUT),
  ),
  ListResponse_MessageAttemptOut_: listOf('MessageAttemptOut'),
  EmptyResponse: { type: 'object', maxProperties: 0 },
};

const msgPath = '/api/v1/app/{app_id}/msg/{msg_id}';
const ATTEMPT_FILTERS = [
  ...PAGE,
  STATUS,
  {
    name: 'status_code_class',
    schema: int({ enum: [0, 100, 200, 300, 400, 500] }),
    description: 'Only responses of this class (0: no response)',
  },
  ...MESSAGE_FILTERS,
  { ...WITH_CONTENT, description: 'Accepted for Svix clients; attempts never inline payloads' },
  EXPANDED_STATUSES,
];

export const messageOperations: Operation[] = [
  {
    method: 'POST',
    path: '/api/v1/app/{app_id}/msg',
    operationId: 'v1.message.create',
    tag: 'Message',
    summary: 'Send a message to every endpoint subscribed to its type',
    query: [WITH_CONTENT],
    body: { schema: 'MessageIn' },
    responses: { 202: 'MessageOut' },
  },
  {
    method: 'POST',
    path: '/api/v1/app/{app_id}/msg/batch',
    operationId: 'hookline.message.create-batch',
    tag: 'Message',
    summary: 'Send up to 1,000 messages in one call and one transaction',
    description:
      'Each item is answered on its own, in order: 202 with the message, or 409/422 with its error. ' +
      'The call is 202 when every item was accepted, 207 otherwise. An Idempotency-Key covers the call.',
    hookline: true,
    query: [WITH_CONTENT],
    body: { schema: 'MessageBatchIn' },
    responses: { 202: 'MessageBatchOut', 207: 'MessageBatchOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/msg',
    operationId: 'v1.message.list',
    tag: 'Message',
    summary: 'List messages, newest first',
    description: 'A page carries at most 4 MiB of payloads; it may end before `limit` with `done: false`.',
    query: [...PAGE, ...MESSAGE_FILTERS, WITH_CONTENT],
    responses: { 200: 'ListResponse_MessageOut_' },
  },
  {
    method: 'GET',
    path: msgPath,
    operationId: 'v1.message.get',
    tag: 'Message',
    summary: 'Get a message',
    query: [WITH_CONTENT],
    responses: { 200: 'MessageOut' },
  },
  {
    method: 'GET',
    path: `${msgPath}/endpoint`,
    operationId: 'v1.message-attempt.list-attempted-destinations',
    tag: 'Message Attempt',
    summary: 'The delivery state of one message at each endpoint',
    query: PAGE,
    responses: { 200: 'ListResponse_MessageEndpointOut_' },
  },
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg',
    operationId: 'v1.message-attempt.list-attempted-messages',
    tag: 'Message Attempt',
    summary: 'An endpoint’s messages with their delivery state',
    query: [...PAGE, ...MESSAGE_FILTERS, STATUS, WITH_CONTENT, EXPANDED_STATUSES],
    responses: { 200: 'ListResponse_EndpointMessageOut_' },
  },
  {
    method: 'POST',
    path: `${msgPath}/endpoint/{endpoint_id}/resend`,
    operationId: 'v1.message-attempt.resend',
    tag: 'Message Attempt',
    summary: 'One manual attempt now (a retrying delivery keeps its schedule)',
    responses: { 202: 'EmptyResponse' },
  },
  {
    method: 'POST',
    path: `${msgPath}/endpoint/{endpoint_id}/skip`,
    operationId: 'hookline.message.skip',
    tag: 'Message Attempt',
    summary: 'Cancel a pending delivery, so an ordered endpoint moves on',
    description: '409 while it is being sent or once it finished.',
    hookline: true,
    responses: { 200: 'MessageEndpointOut' },
  },
  {
    method: 'GET',
    path: `${msgPath}/attempt/{attempt_id}`,
    operationId: 'v1.message-attempt.get',
    tag: 'Message Attempt',
    summary: 'Get an attempt',
    query: [EXPANDED_STATUSES],
    responses: { 200: 'MessageAttemptOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
    operationId: 'v1.message-attempt.list-by-msg',
    tag: 'Message Attempt',
    summary: 'Attempts of a message, newest first',
    query: [...ATTEMPT_FILTERS, { name: 'endpoint_id', schema: str(), description: 'Only at this endpoint' }],
    responses: { 200: 'ListResponse_MessageAttemptOut_' },
  },
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
    operationId: 'v1.message-attempt.list-by-endpoint',
    tag: 'Message Attempt',
    summary: 'Attempts at an endpoint, newest first',
    query: [
      ...ATTEMPT_FILTERS,
      {
        name: 'with_msg',
        schema: { type: 'boolean' },
        description: 'Include each attempt’s message (`msg`)',
      },
    ],
    responses: { 200: 'ListResponse_MessageAttemptOut_' },
  },
];
