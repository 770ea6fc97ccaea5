/**
 * The payload `hookline trigger` sends: the first of the newest schema's
 * `examples` (JSON Schema's own keyword, which Svix's dashboard also uses), else
 * the smallest value the schema allows, built from its required properties.
 */
export function examplePayload(schemas: unknown): unknown {
  const schema = newestSchema(schemas);
  if (!schema) return {};
  const examples = schema.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  return minimal(schema, 0) ?? {};
}

type Schema = Record<string, unknown>;

function newestSchema(schemas: unknown): Schema | null {
  if (!schemas || typeof schemas !== 'object') return null;
  const versions = Object.keys(schemas).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
  const first = versions[0] === undefined ? undefined : (schemas as Record<string, unknown>)[versions[0]];
  return first && typeof first === 'object' ? (first as Schema) : null;
}

function minimal(schema: Schema, depth: number): unknown {
  if (depth > 16) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.map((k) => [k, minimal(props[k] ?? {}, depth + 1)]));
    }
    case 'array':
      return [];
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}
