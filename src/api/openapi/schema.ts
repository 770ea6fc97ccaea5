/**
 * Small builders for the JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses)
 * of the OpenAPI document. Plain objects, so the document is plain JSON.
 */
export type Schema = { [keyword: string]: unknown };

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const str = (rules: Schema = {}): Schema => ({ type: 'string', ...rules });
export const int = (rules: Schema = {}): Schema => ({ type: 'integer', ...rules });
export const bool = (rules: Schema = {}): Schema => ({ type: 'boolean', ...rules });
export const dateTime = (rules: Schema = {}): Schema => ({ type: 'string', format: 'date-time', ...rules });
/** Any JSON value (payloads, event-type schemas). */
export const anyJson = (description: string): Schema => ({ description });
export const array = (items: Schema, rules: Schema = {}): Schema => ({ type: 'array', items, ...rules });
export const stringMap = (rules: Schema = {}): Schema => ({
  type: 'object',
  additionalProperties: str(rules),
});

/** The same schema, null allowed too (Svix SDKs send null for unset optional fields). */
export function nullable(schema: Schema): Schema {
  const { type, ...rest } = schema;
  // An enum lists every allowed value, so null joins it too.
  if (Array.isArray(rest.enum)) rest.enum = [...rest.enum, null];
  if (typeof type === 'string') return { ...rest, type: [type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/**
 * A field, route or parameter Hookline adds to the Svix API: `x-hookline: true`
 * marks it in the document (docs/api.md, "Hookline additions"), so a Svix user
 * can tell what another Svix server would not understand.
 */
export const hookline = (schema: Schema, description: string): Schema => ({
  ...schema,
  description,
  'x-hookline': true,
});

export const describe = (schema: Schema, description: string): Schema => ({ ...schema, description });

/** An object; properties not listed are allowed (requests: ignored by Hookline; responses: future fields). */
export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}

/** Svix's `ListResponse_X_`: a page of `item`. */
export function listOf(item: string): Schema {
  return object(
    {
      data: array(ref(item)),
      iterator: nullable(str({ description: 'pass back as `iterator` to read the next page' })),
      prevIterator: nullable(str({ description: 'pass back as `iterator` to read the previous page' })),
      done: bool(),
    },
    ['data', 'iterator', 'prevIterator', 'done'],
  );
}

export const UID = { minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' };
export const NAME = { minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' };
export const MAX_INT = 2_147_483_647;
