import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, SCHEMAS } from '../../src/api/openapi/document.js';
import type { Operation } from '../../src/api/openapi/operation.js';
import { schemaErrors, schemaProblem } from '../helpers/openapi-contract.js';
import { type SampleMode, sample } from '../helpers/schema-samples.js';

/**
 * For every operation the Svix OSS server also has, Hookline's schemas accept
 * what Svix's accept: each request Svix's schema allows (samples: required
 * fields only, every field, every field null where allowed, from Svix's own
 * examples) passes Hookline's request schema, and each response Hookline's
 * schema allows passes Svix's, so a Svix client reads it. Svix's side is
 * test/fixtures/svix/svix-openapi-subset.json, extracted from Svix's
 * server/openapi.json by extract.ts beside it.
 */
type Schema = Record<string, unknown>;
interface SvixOperation {
  method: string;
  path: string;
  operationId: string;
  query: string[];
  body: Schema | null;
  responses: Record<string, Schema | null>;
}
const svix = JSON.parse(
  readFileSync(new URL('../fixtures/svix/svix-openapi-subset.json', import.meta.url), 'utf8'),
) as {
  operations: SvixOperation[];
  components: Record<string, Schema>;
};

const svixAjv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(svixAjv);
svixAjv.addKeyword('components');
svixAjv.addSchema({ $id: 'svix.json', components: { schemas: svix.components } });
function svixProblem(schema: Schema, value: unknown): string | null {
  const rooted = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"svix.json#/components/'));
  const validate = svixAjv.compile(rooted);
  if (validate(value)) return null;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ');
}

/**
 * Where Hookline knowingly differs, and why. Each entry is checked to still be
 * needed, so the list cannot outgrow what is true.
 */
const IGNORED_SVIX_FIELDS: Record<string, string> = {
  // The Svix OSS server names the endpoint filter `eventTypes`; the svix client (and Hookline) `filterTypes`.
  'EndpointIn.eventTypes': 'Hookline reads filterTypes, as the svix@1.99.1 client sends',
  'EndpointUpdate.eventTypes': 'Hookline reads filterTypes, as the svix@1.99.1 client sends',
  'EndpointPatch.eventTypes': 'Hookline reads filterTypes, as the svix@1.99.1 client sends',
};
/** Values Svix's schema allows that Hookline refuses on purpose, by schema and field path. */
const REFUSED_ON_PURPOSE: Record<string, Record<string, string>> = {
  // Svix's patch schemas allow 0 (its create schemas do not); a rate of 0 would stop delivery, so Hookline says 422.
  ApplicationPatch: { '/throttleRate': 'a throttle rate of 0 would never deliver' },
  EndpointPatch: { '/throttleRate': 'a throttle rate of 0 would never deliver' },
};
const used = new Set<string>();

/** Hookline's errors for a request Svix allows, less the ones refused on purpose. */
function requestErrors(name: string, value: unknown): string[] {
  return schemaErrors('request', name, value)
    .filter((e) => {
      const known = REFUSED_ON_PURPOSE[name]?.[e.path] !== undefined;
      if (known) used.add(`${name}${e.path}`);
      return !known;
    })
    .map((e) => e.message);
}

/** A Svix sample from its examples, or without them when Svix's own example breaks its schema (EventTypePatch's). */
function svixSample(body: Schema, mode: SampleMode): unknown {
  const value = sample(body, svix.components, mode);
  return svixProblem(body, value) === null ? value : sample(body, svix.components, mode, false);
}

const MODES: SampleMode[] = ['required', 'full', 'nulls'];
const hooklineOp = (svixOp: SvixOperation): Operation | undefined =>
  OPERATIONS.find((op) => op.method === svixOp.method && op.path === svixOp.path);
const shared = svix.operations.filter((op) => hooklineOp(op) !== undefined);
const refName = (schema: Schema | null): string | undefined =>
  typeof schema?.$ref === 'string' ? schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1) : undefined;

describe('Hookline accepts what Svix accepts, for the operations both have', () => {
  it('shares most of the Svix operations (the rest are listed)', () => {
    const notServed = svix.operations.filter((op) => !hooklineOp(op)).map((op) => `${op.method} ${op.path}`);
    console.info(`Svix operations Hookline's document does not have:\n${notServed.join('\n')}`);
    expect(shared.length).toBeGreaterThanOrEqual(33);
  });

  for (const svixOp of shared) {
    const op = hooklineOp(svixOp) as Operation;
    describe(`${svixOp.method} ${svixOp.path}`, () => {
      it('documents every query parameter Svix has', () => {
        const documented = new Set((op.query ?? []).map((q) => q.name));
        expect(svixOp.query.filter((name) => !documented.has(name))).toEqual([]);
      });

      if (svixOp.body) {
        const body = svixOp.body;
        it("accepts every request body Svix's schema allows, and reads each Svix field", () => {
          expect(op.body, 'Hookline documents a request body').toBeDefined();
          const name = op.body?.schema as string;
          for (const mode of MODES) {
            const value = svixSample(body, mode);
            expect(svixProblem(body, value), `the ${mode} sample is valid by Svix`).toBeNull();
            expect(requestErrors(name, value), `${mode} sample ${JSON.stringify(value)}`).toEqual([]);
          }
          const svixSchema = svix.components[refName(body) as string] as { properties?: Schema };
          const ours = (SCHEMAS[name] as { properties: Schema }).properties;
          const unread = Object.keys(svixSchema.properties ?? {})
            .filter((field) => !(field in ours))
            .map((field) => `${name}.${field}`);
          expect(unread.filter((field) => !(field in IGNORED_SVIX_FIELDS))).toEqual([]);
        });
      }

      it("answers only statuses Svix has, with bodies Svix's schema allows", () => {
        // Svix's spec gives some operations (the content expunges) no success response at all: nothing to compare.
        if (Object.keys(svixOp.responses).length === 0) return;
        for (const [status, body] of Object.entries(op.responses)) {
          expect(Object.keys(svixOp.responses), `status ${status}`).toContain(status);
          const svixBody = svixOp.responses[status] ?? null;
          if (body === null || typeof body !== 'string') {
            expect(
              svixBody === null || refName(svixBody) === 'EmptyResponse',
              `status ${status} has no body`,
            ).toBe(true);
            continue;
          }
          expect(svixBody, `Svix documents a body for ${status}`).not.toBeNull();
          for (const mode of MODES) {
            const value = sample(
              { $ref: `#/components/schemas/${body}` },
              SCHEMAS as Record<string, Schema>,
              mode,
            );
            expect(
              schemaProblem('response', body, value),
              `the ${mode} sample is valid by Hookline`,
            ).toBeNull();
            expect(
              svixProblem(svixBody as Schema, value),
              `${mode} ${body} ${JSON.stringify(value)}`,
            ).toBeNull();
          }
        }
      });
    });
  }

  it('needs every value it lists as refused on purpose', () => {
    const listed = Object.entries(REFUSED_ON_PURPOSE).flatMap(([name, paths]) =>
      Object.keys(paths).map((p) => `${name}${p}`),
    );
    expect(listed.filter((entry) => !used.has(entry))).toEqual([]);
  });

  it('lists no Svix field as ignored that Hookline now reads', () => {
    for (const field of Object.keys(IGNORED_SVIX_FIELDS)) {
      const [schema, name] = field.split('.') as [string, string];
      expect((SCHEMAS[schema] as { properties: Schema }).properties, field).not.toHaveProperty(name);
    }
  });
});
