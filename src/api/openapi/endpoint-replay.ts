import type { Operation } from './operation.js';
import { dateTime, int, NAME, nullable, object, type Schema, str } from './schema.js';
import { taskStarted } from './tasks.js';

export const endpointReplaySchemas: Record<string, Schema> = {
  ReplayIn: object(
    {
      since: dateTime({ description: 'Not in the future', examples: ['2026-01-01T00:00:00Z'] }),
      until: nullable(
        dateTime({ description: 'After `since`; default: now', examples: ['2026-01-02T00:00:00Z'] }),
      ),
    },
    ['since'],
  ),
  ReplayOut: taskStarted('endpoint.replay'),
  EventExampleIn: object(
    {
      eventType: str({
        ...NAME,
        description: 'An event type that is not archived, or `svix.ping` (payload `{"success": true}`)',
        examples: ['svix.ping'],
      }),
      exampleIndex: nullable(
        int({
          minimum: 0,
          description: 'Which of the schema’s examples to send (default 0); past the last: 422',
        }),
      ),
    },
    ['eventType'],
  ),
};

const tag = 'Endpoint';
const path = '/api/v1/app/{app_id}/endpoint/{endpoint_id}';

export const endpointReplayOperations: Operation[] = [
  {
    method: 'POST',
    path: `${path}/replay-missing`,
    operationId: 'v1.endpoint.replay-missing',
    tag,
    summary: 'Send the messages since a time that this endpoint never had a delivery for (a background task)',
    description:
      'Messages its routing accepts now that were sent before it existed or while its filter left them out; ' +
      'expunged messages are left out. Failed deliveries are recover’s business. The task’s data: `{replayed}`.',
    body: { schema: 'ReplayIn' },
    responses: { 202: 'ReplayOut' },
  },
  {
    method: 'POST',
    path: `${path}/send-example`,
    operationId: 'v1.endpoint.send-example',
    tag,
    summary: 'Send an example message of an event type to this endpoint only',
    description:
      'The payload is the newest schema’s example at `exampleIndex`; without examples, the smallest payload the ' +
      'schema accepts; `{}` without a schema. An unknown or archived type is a 422.',
    body: { schema: 'EventExampleIn' },
    responses: { 200: 'MessageOut' },
  },
];
