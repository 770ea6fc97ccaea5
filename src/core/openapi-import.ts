import type { ValidationIssue } from './errors.js';

/** Svix EventTypeFromOpenApi: an event type as an OpenAPI document describes it. */
export interface EventTypeFromOpenApi {
  name: string;
  description: string;
  deprecated: boolean;
  schemas: Record<string, unknown> | null;
  featureFlag: string | null;
  groupName: string | null;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^[a-zA-Z0-9\-_.]+$/;
const METHODS = ['post', 'put', 'patch', 'get', 'delete'] as const;
const MAX_REF_DEPTH = 32;

/**
 * Inlines local `$ref`s (`#/components/schemas/X`, any `#/` pointer) so the
 * stored schema stands alone. A reference back into itself (a recursive
 * schema) becomes `{}`, which accepts anything at that depth.
 */
function inline(
  spec: Obj,
  value: unknown,
  path: string[],
  issues: ValidationIssue[],
  loc: (string | number)[],
): unknown {
  if (Array.isArray(value)) return value.map((v) => inline(spec, v, path, issues, loc));
  if (!isObject(value)) return value;
  const ref = value.$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) {
      issues.push({ loc, msg: `only local $refs can be imported, not ${ref}`, type: 'value_error.ref' });
      return {};
    }
    if (path.includes(ref) || path.length >= MAX_REF_DEPTH) return {};
    let target: unknown = spec;
    for (const part of ref.slice(2).split('/')) {
      const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) && Object.hasOwn(target, key) ? target[key] : undefined;
    }
    if (target === undefined) {
      issues.push({ loc, msg: `$ref ${ref} points at nothing`, type: 'value_error.ref' });
      return {};
    }
    return inline(spec, target, [...path, ref], issues, loc);
  }
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: inline(spec, v, path, issues, loc),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The media type's examples (`example`, or `examples: {name: {value}}`) as a list. */
function mediaExamples(media: Obj): unknown[] {
  if (media.example !== undefined) return [media.example];
  if (isObject(media.examples)) {
    return Object.values(media.examples)
      .filter(isObject)
      .filter((e) => e.value !== undefined)
      .map((e) => e.value);
  }
  return [];
}

/**
 * The event types of an OpenAPI 3.1 document's `webhooks` (or the older
 * `x-webhooks`), as Svix imports them: one per webhook, named by its key;
 * description from the operation's description or summary; the JSON request
 * body's schema (local refs inlined, the media type's examples added as
 * `examples` when the schema has none) as version "1"; `deprecated` from the
 * operation; group and feature flag from `x-svix-group-name` and
 * `x-svix-feature-flag(s)`. Problems are returned with their loc.
 */
export function eventTypesFromOpenApi(spec: unknown): {
  types: EventTypeFromOpenApi[];
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  const types: EventTypeFromOpenApi[] = [];
  if (!isObject(spec)) {
    return {
      types,
      issues: [
        { loc: ['body', 'spec'], msg: 'expected an OpenAPI document (an object)', type: 'type_error.dict' },
      ],
    };
  }
  const key = isObject(spec.webhooks) ? 'webhooks' : 'x-webhooks';
  const webhooks = spec[key];
  if (!isObject(webhooks)) {
    issues.push({
      loc: ['body', 'spec', 'webhooks'],
      msg: 'the document has no webhooks section',
      type: 'value_error.missing',
    });
    return { types, issues };
  }
  for (const [name, item] of Object.entries(webhooks)) {
    const loc = ['body', 'spec', key, name];
    if (!NAME.test(name) || name.length > 256) {
      issues.push({
        loc,
        msg: `an event type name must match ${NAME.source}, at most 256 characters`,
        type: 'value_error.str.regex',
      });
      continue;
    }
    const op = isObject(item) ? METHODS.map((m) => item[m]).find(isObject) : undefined;
    if (!op) {
      issues.push({ loc, msg: 'expected a path item with an operation (post)', type: 'value_error' });
      continue;
    }
    const content =
      isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : {};
    const media = [content['application/json'], ...Object.values(content)].find(isObject);
    let schema: Obj | null = null;
    if (media && isObject(media.schema)) {
      schema = inline(spec, media.schema, [], issues, [...loc, 'requestBody']) as Obj;
      const examples = mediaExamples(media);
      if (examples.length > 0 && !Array.isArray(schema.examples)) schema = { ...schema, examples };
    }
    const flags = op['x-svix-feature-flags'];
    const flag = op['x-svix-feature-flag'] ?? (Array.isArray(flags) ? flags[0] : undefined);
    const group = op['x-svix-group-name'];
    types.push({
      name,
      description: String(op.description ?? op.summary ?? ''),
      deprecated: op.deprecated === true,
      schemas: schema ? { '1': schema } : null,
      featureFlag: typeof flag === 'string' ? flag : null,
      groupName: typeof group === 'string' ? group : null,
    });
  }
  return { types, issues };
}
