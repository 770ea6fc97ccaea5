import type { Operation } from './operation.js';
import { array, bool, NAME, nullable, object, ref, type Schema, str } from './schema.js';

/** A small document of the kind the import reads: one webhook, its JSON body's schema and an example. */
const EXAMPLE_SPEC = {
  openapi: '3.1.0',
  info: { title: 'Webhooks', version: '1' },
  webhooks: {
    'invoice.paid': {
      post: {
        description: 'An invoice was paid',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { invoiceId: { type: 'string' } },
                required: ['invoiceId'],
              },
              example: { invoiceId: 'inv_1' },
            },
          },
        },
      },
    },
  },
};

const SPEC_DESCRIPTION =
  'An OpenAPI 3.1 document: one event type per key of its `webhooks` (or `x-webhooks`)';

export const eventTypeImportSchemas: Record<string, Schema> = {
  EventTypeImportOpenApiIn: {
    ...object({
      spec: nullable({ type: 'object', description: SPEC_DESCRIPTION }),
      specRaw: nullable(
        str({ maxLength: 10_000_000, description: 'The same document as JSON text (YAML is not read)' }),
      ),
      replaceAll: nullable(bool({ description: 'Archive every event type the document does not name' })),
      dryRun: nullable(bool({ description: 'Change nothing; list the changes in `to_modify`' })),
    }),
    // One of the two is needed (`spec` wins when both are sent).
    anyOf: [
      object({ spec: { type: 'object', description: SPEC_DESCRIPTION, examples: [EXAMPLE_SPEC] } }, ['spec']),
      object({ specRaw: str() }, ['specRaw']),
    ],
  },
  EventTypeFromOpenApi: object(
    {
      name: str(NAME),
      description: str(),
      deprecated: bool(),
      schemas: { ...nullable({ type: 'object' }), description: 'The webhook’s body schema as version "1"' },
      featureFlag: nullable(str()),
      featureFlags: nullable(array(str())),
      groupName: nullable(str()),
    },
    ['name', 'description', 'deprecated', 'schemas', 'featureFlag', 'featureFlags', 'groupName'],
  ),
  EventTypeImportOpenApiOut: object(
    {
      data: object(
        {
          modified: array(str(), { description: 'The event types created, changed or archived' }),
          to_modify: array(ref('EventTypeFromOpenApi'), {
            description:
              'With `dryRun`: the event types that would be created or changed (snake_case, as Svix)',
          }),
        },
        ['modified'],
      ),
    },
    ['data'],
  ),
};

export const eventTypeImportOperations: Operation[] = [
  {
    method: 'POST',
    path: '/api/v1/event-type/import/openapi',
    operationId: 'v1.event-type.import-openapi',
    tag: 'Event Type',
    summary: 'Create or update event types from an OpenAPI document’s webhooks',
    description:
      'Only event types that change are written and listed in `modified`; archived ones named by the document ' +
      'come back; `validateSchema` is kept. Local `$ref`s are inlined; an external one is a 422.',
    body: { schema: 'EventTypeImportOpenApiIn' },
    responses: { 200: 'EventTypeImportOpenApiOut' },
  },
];
