import type { Operation } from './operation.js';
import { array, int, nullable, object, type Schema, str } from './schema.js';

const SSE = (description: string) => ({ mediaType: 'text/event-stream', description });
const FILTER_TYPES = nullable(
  array(str({ minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' }), { maxItems: 256 }),
);

/** `hookline tail` and `hookline listen` (api/routes/stream.ts, api/routes/listen.ts; docs/api.md, Live streams). */
export const streamOperations: Operation[] = [
  {
    method: 'GET',
    path: '/api/v1/stream/attempts',
    operationId: 'hookline.stream.attempts',
    tag: 'Streams',
    summary: 'New attempts as server-sent events',
    description:
      'One `event: attempt` per attempt recorded from now on, `id:` its attempt id (resume with `Last-Event-ID`), ' +
      '`data:` the attempt as attempt lists show it plus `appId` and `eventType`. Read from the database, so every ' +
      "worker's attempts appear; a resumed stream may repeat recent attempts: drop repeats by id.",
    hookline: true,
    query: [
      {
        name: 'app_id',
        schema: str(),
        description: "Only this application's (id or uid); default: every application",
      },
      { name: 'endpoint_id', schema: str(), description: 'Only this endpoint (id or uid; needs app_id)' },
      {
        name: 'event_types',
        schema: array(str()),
        description: 'Only these event types (comma-separated or repeated)',
      },
      { name: 'status', schema: int({ enum: [0, 2] }), description: 'Only successes (0) or failures (2)' },
    ],
    queryNotFound: true,
    responses: { 200: SSE('`event: attempt` per attempt; a comment line every 15 s') },
  },
  {
    method: 'POST',
    path: '/api/v1/app/{app_id}/listen',
    operationId: 'hookline.listen.start',
    tag: 'Streams',
    summary: 'Find or create the listen endpoint of a `hookline listen` session',
    description:
      'The endpoint `listen-<name>` (URL `hookline-listen://<name>`), created with a generated secret on first use; ' +
      'its filterTypes are set and it is enabled on every call. 409 on an API-only process (`--role api`).',
    hookline: true,
    body: { schema: 'ListenIn', optional: true },
    responses: { 200: 'ListenSessionOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/app/{app_id}/listen/{endpoint_id}/stream',
    operationId: 'hookline.listen.stream',
    tag: 'Streams',
    summary: "A listen endpoint's deliveries as server-sent events",
    description:
      '`event: ready`, then one `event: delivery` per attempt, `data: {requestId, msgId, eventType, attempt, headers, body}` ' +
      '(the signed headers and the exact body). A newer connection for the endpoint replaces this one.',
    hookline: true,
    // Without a relay hub (an API-only process, --role api) every listen route is a 409.
    moreErrors: ['409'],
    responses: { 200: SSE('`event: delivery` per attempt; a comment line every 15 s') },
  },
  {
    method: 'POST',
    path: '/api/v1/app/{app_id}/listen/{endpoint_id}/result',
    operationId: 'hookline.listen.result',
    tag: 'Streams',
    summary: "The local receiver's answer to one relayed delivery, recorded as the attempt",
    description:
      '404 once nothing waits for that request (past the request timeout, or its connection ended).',
    hookline: true,
    body: { schema: 'ListenResultIn' },
    responses: { 204: null },
  },
];

export const streamSchemas: Record<string, Schema> = {
  ListenIn: object({
    name: str({
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-zA-Z0-9\\-_.]+$',
      description: 'Session name (default `default`)',
    }),
    filterTypes: FILTER_TYPES,
  }),
  ListenSessionOut: object(
    {
      endpointId: str(),
      uid: str(),
      url: str(),
      filterTypes: FILTER_TYPES,
      secret: nullable(str({ description: "The listen endpoint's signing secret, stable across sessions" })),
    },
    ['endpointId', 'uid', 'url', 'filterTypes', 'secret'],
  ),
  ListenResultIn: object(
    {
      requestId: str({ minLength: 1, maxLength: 64 }),
      statusCode: int({
        minimum: 0,
        maximum: 999,
        description: '0 when the local receiver could not be reached',
      }),
      body: str({ maxLength: 1_048_576 }),
      durationMs: int({ minimum: 0, maximum: 86_400_000 }),
      error: str({ maxLength: 4096, description: 'Why the local receiver could not be reached' }),
    },
    ['requestId'],
  ),
};
