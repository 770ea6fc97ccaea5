import { createRequire } from 'node:module';
import type { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import { ValidationError, type ValidationIssue } from './errors.js';
import { newestSchema } from './schema-example.js';

// ajv is CommonJS; its classes are taken through require so the types stay exact.
const require = createRequire(import.meta.url);
const Ajv07 = require('ajv').default as typeof import('ajv').default;
const Ajv2019 = require('ajv/dist/2019.js').default as typeof import('ajv/dist/2019.js').default;
const Ajv2020 = require('ajv/dist/2020.js').default as typeof import('ajv/dist/2020.js').default;

/**
 * Event-type payload validation (Hookline's opt-in `validateSchema`), with a
 * real JSON Schema validator (ajv). The dialect follows the schema's
 * `$schema` (2020-12 as in OpenAPI 3.1, 2019-09, else draft-07). Unknown
 * keywords (OpenAPI's `example`, `x-...`) are allowed; `format` is not
 * checked. Each distinct schema is compiled once and kept (bounded).
 */
const OPTIONS = { strict: false, allErrors: true, validateFormats: false } as const;
const engines = { d07: new Ajv07(OPTIONS), d2019: new Ajv2019(OPTIONS), d2020: new Ajv2020(OPTIONS) };
const MAX_COMPILED = 256;
/** Problems reported per payload at most: one is enough to fix, a few save round trips. */
const MAX_ISSUES = 20;
const compiled = new Map<string, ValidateFunction>();

function engineFor(schema: Record<string, unknown>) {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) return engines.d2020;
  if (dialect.includes('2019-09')) return engines.d2019;
  return engines.d07;
}

/**
 * The compiled validator of the newest version of `schemas` (Svix's
 * `{"1": schema}`); null without a schema. Throws a 422 at `loc` when the
 * schema itself does not compile, so a bad schema is refused when stored.
 */
export function validatorFor(
  schemas: unknown,
  loc: (string | number)[] = ['body', 'schemas'],
): ValidateFunction | null {
  const schema = newestSchema(schemas);
  if (!schema) return null;
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) {
    // Most recently used last, so the oldest is dropped first.
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  let validate: ValidateFunction;
  try {
    // $id is dropped: two schemas with one $id would clash in ajv's registry.
    const { $id: _id, ...anonymous } = schema;
    validate = engineFor(schema).compile(anonymous as AnySchema);
  } catch (err) {
    throw new ValidationError([
      { loc, msg: `not a valid JSON Schema: ${(err as Error).message}`, type: 'value_error.jsonschema' },
    ]);
  }
  compiled.set(key, validate);
  if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  return validate;
}

/** `/a/0/b` (JSON Pointer) as loc segments. */
const pointerLoc = (pointer: string): (string | number)[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

function issueOf(e: ErrorObject, base: (string | number)[]): ValidationIssue {
  const loc = [...base, ...pointerLoc(e.instancePath)];
  // A missing property is named in loc, as the other 422s of the API do.
  if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
    return { loc: [...loc, e.params.missingProperty], msg: 'field required', type: 'value_error.missing' };
  }
  return { loc, msg: e.message ?? 'invalid', type: `value_error.jsonschema.${e.keyword}` };
}

/** Throws a 422 naming each failing path of `payload`, below `base` (the payload's own loc). */
export function checkPayload(
  validate: ValidateFunction,
  payload: unknown,
  base: (string | number)[] = ['body', 'payload'],
): void {
  if (validate(payload)) return;
  const issues = (validate.errors ?? []).slice(0, MAX_ISSUES).map((e) => issueOf(e, base));
  throw new ValidationError(
    issues.length > 0 ? issues : [{ loc: base, msg: 'does not match the schema', type: 'value_error' }],
  );
}
