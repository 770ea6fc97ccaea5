/**
 * Sample values from a JSON Schema (2020-12, $refs into `defs`), to compare
 * two APIs' schemas by what they accept. Three shapes per schema:
 * `required` (only required fields, nulls where allowed), `full` (every field,
 * a non-null value each) and `nulls` (every field, null wherever allowed).
 * Each uses the schema's own examples when it has them.
 */
export type SampleMode = 'required' | 'full' | 'nulls';
type Schema = Record<string, unknown>;

const STRING_BY_FORMAT: Record<string, string> = {
  'date-time': '2026-01-01T00:00:00.000Z',
  uri: 'https://shop.example/webhooks',
};

export function sample(
  schema: Schema,
  defs: Record<string, Schema>,
  mode: SampleMode,
  useExamples = true,
  depth = 0,
): unknown {
  if (depth > 8) return null;
  const inner = (s: Schema, m: SampleMode) => sample(s, defs, m, useExamples, depth + 1);
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
    const target = defs[name];
    if (!target) throw new Error(`no schema ${name}`);
    return inner(target, mode);
  }
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as Schema[] | undefined;
  if (branches) {
    const nullBranch = branches.find((b) => b.type === 'null');
    if (nullBranch && mode !== 'full') return null;
    const first = branches.find((b) => b.type !== 'null') as Schema;
    return inner(first, mode);
  }
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : schema.type
      ? [schema.type as string]
      : [];
  if (types.includes('null') && (mode !== 'full' || types.length === 1)) return null;
  if (useExamples && Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null);
  if (schema.const !== undefined) return schema.const;
  const type = types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string': {
      const text = STRING_BY_FORMAT[schema.format as string] ?? 'sample';
      const min = (schema.minLength as number | undefined) ?? 0;
      return text.length >= min ? text : text.padEnd(min, 'x');
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum as number | undefined;
      const max = schema.maximum as number | undefined;
      return min !== undefined ? min : max !== undefined ? Math.min(1, max) : 1;
    }
    case 'boolean':
      return mode === 'full';
    case 'array': {
      const count = Math.max((schema.minItems as number | undefined) ?? 0, mode === 'full' ? 1 : 0);
      const items = (schema.items ?? {}) as Schema;
      return Array.from({ length: count }, (_, i) => {
        const item = inner(items, 'full');
        // uniqueItems: vary strings.
        return typeof item === 'string' && i > 0 ? `${item}${i}` : item;
      });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(properties)) {
        if (mode === 'required' && !required.has(name)) continue;
        out[name] = inner(prop, required.has(name) && mode === 'nulls' ? 'full' : mode);
      }
      if (
        mode === 'full' &&
        typeof schema.additionalProperties === 'object' &&
        Object.keys(properties).length === 0
      ) {
        out.sample = inner(schema.additionalProperties as Schema, 'full');
      }
      return out;
    }
    default:
      return {};
  }
}
