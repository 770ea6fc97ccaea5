import { applicationOperations, applicationSchemas } from './applications.js';
import { authOperations, authSchemas } from './auth.js';
import { endpointExtraOperations, endpointExtraSchemas } from './endpoint-extras.js';
import { endpointReplayOperations, endpointReplaySchemas } from './endpoint-replay.js';
import { endpointOperations, endpointSchemas } from './endpoints.js';
import { errorResponse, errorSchemas } from './errors.js';
import { eventTypeImportOperations, eventTypeImportSchemas } from './event-type-import.js';
import { eventTypeOperations, eventTypeSchemas } from './event-types.js';
import { messageContentOperations, messageContentSchemas } from './message-content.js';
import { messageOperations, messageSchemas } from './messages.js';
import { notImplementedOperations } from './not-implemented.js';
import { mediaTypesOf, type Operation, type ResponseBody } from './operation.js';
import { operationalOperations, operationalSchemas } from './operational-webhooks.js';
import { pageOperations } from './pages.js';
import { PATH_PARAMS } from './params.js';
import { ref, type Schema } from './schema.js';
import { statisticsOperations, statisticsSchemas } from './statistics.js';
import { streamOperations, streamSchemas } from './streams.js';
import { systemOperations } from './system.js';
import { taskOperations, taskSchemas } from './tasks.js';

/**
 * The OpenAPI 3.1 document of the API, built from one object per route
 * (src/api/openapi/*.ts).
 *
 * Why a document beside the hand-written readers (api/validate.ts) rather
 * than one schema both come from: the readers hold rules a JSON Schema cannot
 * say (SSRF checks on URLs, reserved headers, secret formats, id-shaped
 * uids), their error messages are part of the API, and rewriting them would
 * touch every route. Instead tests keep the two from drifting: every route
 * Fastify registers has an entry here and every entry a route
 * (test/api/openapi-routes.test.ts); every response of every API test is
 * validated against its entry, and every request the API accepted against the
 * entry's request schema (test/setup/api-contract.ts); samples of every
 * documented request body are accepted by a real API
 * (test/api/openapi-requests.test.ts); and the operations Svix also has
 * accept what Svix's accept (test/api/openapi-svix.test.ts).
 */
const SERVED: readonly Operation[] = [
  ...applicationOperations,
  ...eventTypeOperations,
  ...eventTypeImportOperations,
  ...endpointOperations,
  ...endpointExtraOperations,
  ...endpointReplayOperations,
  ...messageOperations,
  ...messageContentOperations,
  ...taskOperations,
  ...statisticsOperations,
  ...authOperations,
  ...operationalOperations,
  ...streamOperations,
  ...systemOperations,
  ...pageOperations,
];

/** Every route: those served, then the svix client's routes Hookline answers 501. */
export const OPERATIONS: readonly Operation[] = [...SERVED, ...notImplementedOperations(SERVED)];

export const SCHEMAS: Record<string, Schema> = {
  ...errorSchemas,
  ...applicationSchemas,
  ...eventTypeSchemas,
  ...eventTypeImportSchemas,
  ...endpointSchemas,
  ...endpointExtraSchemas,
  ...endpointReplaySchemas,
  ...messageSchemas,
  ...messageContentSchemas,
  ...taskSchemas,
  ...statisticsSchemas,
  ...authSchemas,
  ...operationalSchemas,
  ...streamSchemas,
  OpenApiDocument: { type: 'object', required: ['openapi', 'paths'], description: 'An OpenAPI 3.1 document' },
};

const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

function successResponse(body: ResponseBody): Schema {
  if (body === null) return { description: 'No content' };
  if (typeof body === 'string')
    return { description: 'OK', content: { 'application/json': { schema: ref(body) } } };
  const content = Object.fromEntries(
    mediaTypesOf(body).map((type) => [type, { schema: { type: 'string' } }]),
  );
  return { description: body.description, content };
}

/** The error statuses a route can answer, from its method, path and auth. */
export function errorStatuses(op: Operation): string[] {
  if (op.path === '/docs' || op.path.startsWith('/docs/') || op.path === '/api/v1/openapi.json') return [];
  const statuses: string[] = [];
  const writes = op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH';
  if (writes) statuses.push('400');
  // 403: an app-portal token on a route outside its scope (api/portal-scope.ts).
  if (!op.public) statuses.push('401', '403');
  if (pathParams(op.path).length > 0 || op.queryNotFound) statuses.push('404');
  if (writes) statuses.push('409', '413', '415');
  for (const status of op.moreErrors ?? []) if (!statuses.includes(status)) statuses.push(status);
  if (!op.public) statuses.push('422');
  statuses.push('5XX');
  return statuses;
}

function operationObject(op: Operation): Schema {
  const parameters = [
    ...pathParams(op.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      description: PATH_PARAMS[name] ?? name,
      schema: { type: 'string' },
    })),
    ...(op.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: false,
      description: q.description,
      schema: q.schema,
      ...(q.name === 'event_types' ? { style: 'form', explode: false } : {}),
      ...(q.hookline ? { 'x-hookline': true } : {}),
    })),
  ];
  const responses: Record<string, Schema> = {};
  for (const [status, body] of Object.entries(op.responses)) {
    // An error status named by the route itself (the 501s) keeps the error's meaning.
    responses[status] =
      Number(status) >= 400 && typeof body === 'string' ? errorResponse(status) : successResponse(body);
  }
  for (const status of errorStatuses(op)) responses[status] = errorResponse(status);
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.optional,
            content: { 'application/json': { schema: ref(op.body.schema) } },
          },
        }
      : {}),
    responses,
    ...(op.hookline ? { 'x-hookline': true } : {}),
    ...(op.notImplemented ? { deprecated: true, 'x-hookline-not-implemented': op.notImplemented } : {}),
  };
}

export function buildDocument(operations: readonly Operation[] = OPERATIONS): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, Schema>)[op.method.toLowerCase()] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    // The API's version, not Hookline's: the document should not tell a stranger which release runs.
    info: {
      title: 'Hookline API',
      version: '1',
      description:
        'Svix-compatible webhook API. Fields, parameters and routes Hookline adds to the Svix API carry `x-hookline: true`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The API token' } },
    },
    security: [{ bearerAuth: [] }],
  };
}

let built: Schema | undefined;
/** The document, built once per process (it never changes while Hookline runs). */
export function openApiDocument(): Schema {
  built ??= buildDocument();
  return built;
}
