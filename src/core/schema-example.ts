/**
 * Payloads from event-type schemas. Svix stores schemas by version
 * (`{"1": {...JSON Schema...}}`); Hookline uses the newest version (the
 * highest numeric key, else the last key).
 */
type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema of the newest version, or null when there is none. */
export function newestSchema(schemas: unknown): Schema | null {
  if (!isObject(schemas)) return null;
  const keys = Object.keys(schemas).filter((k) => isObject(schemas[k]));
  if (keys.length === 0) return null;
  const numeric = keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
  const key = numeric.at(-1) ?? keys.at(-1)!;
  return schemas[key] as Schema;
}

/** The schema's own examples (`examples`, or OpenAPI's singular `example`). */
export function schemaExamples(schema: Schema): unknown[] {
  if (Array.isArray(schema.examples)) return schema.examples;
  return schema.example !== undefined ? [schema.example] : [];
}

/** Depth past which a (recursive) schema yields null rather than recursing on. */
const MAX_DEPTH = 16;

/**
 * The smallest value the schema accepts, as far as it can tell without a
 * validator: `const`, `default`, the first `examples` or `enum` entry at
 * every level; objects with their required properties only; arrays with
 * `minItems` items; strings of `minLength` (a date-time for that format).
 * `$ref` is not followed (an empty object stands in).
 */
export function minimalValue(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  const examples = schemaExamples(schema);
  if (examples.length > 0) return examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return minimalValue(options[0], depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((s) => minimalValue(s, depth + 1));
    if (parts.every(isObject)) return Object.assign({}, ...parts);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type ?? (isObject(schema.properties) ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      for (const name of required) {
        if (typeof name !== 'string') continue;
        Object.defineProperty(out, name, {
          value: minimalValue(properties[name] ?? {}, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array': {
      const n = typeof schema.minItems === 'number' ? Math.min(schema.minItems, 100) : 0;
      return Array.from({ length: n }, () => minimalValue(schema.items ?? {}, depth + 1));
    }
    case 'string':
      if (schema.format === 'date-time') return new Date(0).toISOString();
      if (schema.format === 'date') return '1970-01-01';
      return 'x'.repeat(typeof schema.minLength === 'number' ? Math.min(schema.minLength, 1024) : 0);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}
