import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { OPERATIONS, SCHEMAS } from '../../src/api/openapi/document.js';
import { errorStatuses } from '../../src/api/openapi/document.js';
import type { Operation } from '../../src/api/openapi/operation.js';
import type { Schema } from '../../src/api/openapi/schema.js';

/**
 * Checks real API traffic against the OpenAPI document (src/api/openapi):
 * each response against the entry of its route and status, and each request
 * the API accepted (2xx) against the entry's request body and query
 * parameters. Validators are compiled on first use and kept for the process.
 *
 * Responses are checked closed: an object field the document does not list
 * is a mismatch, so a field added to a response without its entry fails. The
 * published document leaves objects open (clients should ignore new fields).
 */

/** Every object schema that lists properties, closed (additionalProperties: false), recursively. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, closed(v)]))
        : closed(value);
  }
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false });
addFormats.default(ajv);
ajv.addKeyword('x-hookline');
// The roots below hold the schemas where OpenAPI puts them, so their $refs resolve unchanged.
ajv.addKeyword('components');
ajv.addSchema({ $id: 'responses.json', components: { schemas: closed(SCHEMAS) } } as Schema);
ajv.addSchema({ $id: 'requests.json', components: { schemas: SCHEMAS } } as Schema);

const validators = new Map<string, ValidateFunction>();
function validator(root: 'responses.json' | 'requests.json', schema: Schema): ValidateFunction {
  const key = `${root} ${JSON.stringify(schema)}`;
  let validate = validators.get(key);
  if (!validate) {
    const rooted = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${root}#/components/`));
    validate = ajv.compile(root === 'responses.json' ? (closed(rooted) as Schema) : rooted);
    validators.set(key, validate);
  }
  return validate;
}
const refTo = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function errorsText(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
    )
    .join('; ');
}

/** `/api/v1/app/:app_id` as the document writes it: `/api/v1/app/{app_id}`. */
export const openApiPath = (fastifyUrl: string): string => fastifyUrl.replace(/:(\w+)/g, '{$1}');

const byRoute = new Map(OPERATIONS.map((op) => [`${op.method} ${op.path}`, op]));
export function operationOf(method: string, fastifyUrl: string): Operation | undefined {
  return byRoute.get(`${method === 'HEAD' ? 'GET' : method} ${openApiPath(fastifyUrl)}`);
}

export interface Exchange {
  method: string;
  /** The route's URL as registered (`:param`), or undefined when no route matched. */
  routeUrl: string | undefined;
  query: unknown;
  requestBody: unknown;
  status: number;
  contentType: string | undefined;
  body: string;
}

function expectedBody(
  op: Operation,
  status: number,
): { schema: Schema | null; mediaType?: string } | 'undocumented' {
  const success = op.responses[status];
  if (success !== undefined) {
    if (success === null) return { schema: null };
    if (typeof success === 'string') return { schema: refTo(success), mediaType: 'application/json' };
    return { schema: { type: 'string' }, mediaType: success.mediaType };
  }
  const errors = errorStatuses(op);
  if (errors.includes(String(status)) || errors.includes(`${String(status)[0]}XX`)) {
    return {
      schema: refTo(status === 422 ? 'HTTPValidationError' : 'HttpErrorOut'),
      mediaType: 'application/json',
    };
  }
  return 'undocumented';
}

/** What is wrong with this exchange by the document, or null when nothing is. */
export function contractProblem(x: Exchange): string | null {
  const where = `${x.method} ${x.routeUrl ?? '(no route)'} -> ${x.status}`;
  const op = x.routeUrl === undefined ? undefined : operationOf(x.method, x.routeUrl);
  if (x.routeUrl !== undefined && !op) return `${where}: the route has no entry in the document`;
  const expected = op
    ? expectedBody(op, x.status)
    : {
        schema: refTo(x.status === 422 ? 'HTTPValidationError' : 'HttpErrorOut'),
        mediaType: 'application/json',
      };
  if (expected === 'undocumented')
    return `${where}: status ${x.status} is not in the document for this route`;
  if (x.method === 'HEAD' || expected.schema === null) {
    return x.body === '' || x.method === 'HEAD'
      ? null
      : `${where}: the document says no body, got ${x.body.slice(0, 200)}`;
  }
  const mediaType = x.contentType?.split(';')[0]?.trim();
  if (mediaType !== expected.mediaType)
    return `${where}: content-type ${mediaType} but the document says ${expected.mediaType}`;
  if (mediaType === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(x.body);
    } catch {
      return `${where}: the body is not JSON`;
    }
    const validate = validator('responses.json', expected.schema);
    if (!validate(json)) return `${where}: the body does not match the document: ${errorsText(validate)}`;
  }
  if (op && x.status >= 200 && x.status < 300) return requestProblem(op, x, where);
  return null;
}

/** An accepted request the document would call invalid: the document is stricter than the API. */
function requestProblem(op: Operation, x: Exchange, where: string): string | null {
  const documented = new Set((op.query ?? []).map((q) => q.name));
  const query = typeof x.query === 'object' && x.query !== null ? Object.keys(x.query) : [];
  const unknown = query.filter((name) => !documented.has(name));
  if (unknown.length > 0)
    return `${where}: accepted query parameters the document does not list: ${unknown.join(', ')}`;
  if (!op.body || (x.requestBody === undefined && op.body.optional)) return null;
  const validate = validator('requests.json', refTo(op.body.schema));
  if (!validate(x.requestBody)) {
    return `${where}: the API accepted a body the document's ${op.body.schema} refuses: ${errorsText(validate)}`;
  }
  return null;
}

/** Where and why `value` does not match component `name` of the document (responses: closed). */
export function schemaErrors(
  kind: 'request' | 'response',
  name: string,
  value: unknown,
): { path: string; message: string }[] {
  const validate = validator(kind === 'request' ? 'requests.json' : 'responses.json', refTo(name));
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({
    path: e.instancePath,
    message: `${e.instancePath || '(root)'} ${e.message}`,
  }));
}

export function schemaProblem(kind: 'request' | 'response', name: string, value: unknown): string | null {
  const errors = schemaErrors(kind, name, value);
  return errors.length === 0 ? null : errors.map((e) => e.message).join('; ');
}
