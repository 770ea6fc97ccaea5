import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { buildDocument, OPERATIONS } from '../../src/api/openapi/document.js';
import { NOT_IMPLEMENTED } from '../../src/api/routes/not-implemented.js';
import { DEFAULTS } from '../../src/config.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { TestDatabase } from '../helpers/backends.js';
import { forEachBackend } from '../helpers/backends.js';
import { contractProblem, openApiPath } from '../helpers/openapi-contract.js';
import { type ApiHarness, startApi } from './harness.js';

/** Every route Fastify registers while building the API, as `METHOD /path/{param}`. */
async function registeredRoutes(store: Store): Promise<string[]> {
  const routes: string[] = [];
  const collect = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${openApiPath(route.url)}`);
    });
  };
  subscribe('fastify.initialization', collect);
  try {
    // Built as `serve` builds it by default: /metrics on the API port (not with --metrics-port).
    const app = await buildApi({
      store,
      config: { ...DEFAULTS, apiToken: 'openapi-routes-token-0123' },
      metrics: createMetrics({ store, perEndpoint: false }),
      serveMetrics: true,
    });
    await app.ready();
    await app.close();
  } finally {
    unsubscribe('fastify.initialization', collect);
  }
  // Fastify answers HEAD for every GET by itself; the document implies it.
  const gets = new Set(routes.filter((r) => r.startsWith('GET ')).map((r) => r.slice(4)));
  return routes.filter((r) => !(r.startsWith('HEAD ') && gets.has(r.slice(5))));
}

forEachBackend(
  'the OpenAPI document and the routes',
  (backend) => {
    let db: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      db = await backend.database('openapi');
      store = await openStore(db.url);
    });
    afterAll(async () => {
      await store.close();
      await db.drop();
    });

    it('documents every route Fastify registers, and registers every documented route', async () => {
      const registered = await registeredRoutes(store);
      const documented = OPERATIONS.map((op) => `${op.method} ${op.path}`);
      const missing = registered.filter((r) => !documented.includes(r));
      const phantom = documented.filter((r) => !registered.includes(r));
      expect(
        missing,
        `routes with no entry in the document (add one object per route to src/api/openapi/*.ts):\n${missing.join('\n')}`,
      ).toEqual([]);
      expect(phantom, `documented routes Hookline does not serve:\n${phantom.join('\n')}`).toEqual([]);
      expect(registered.length).toBeGreaterThan(40);
    });
  },
  ['sqlite'],
);

describe('the OpenAPI document', () => {
  const doc = buildDocument() as {
    paths: Record<
      string,
      Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
    >;
    components: { schemas: Record<string, unknown> };
  };

  it('is a valid OpenAPI 3.1 document, by the specification’s own JSON Schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(buildDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has unique operation ids and declares every path parameter', () => {
    const ids = OPERATIONS.map((op) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${op.operationId} ${path}`).toEqual(inPath);
      }
    }
  });

  it('refers only to schemas it defines', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    const undefinedRefs = refs.filter((name) => !((name as string) in doc.components.schemas));
    expect(undefinedRefs).toEqual([]);
  });

  it('shows the routes answered 501 deprecated, each with its reason from routes/not-implemented.ts', () => {
    const ops = doc.paths as unknown as Record<string, Record<string, Record<string, unknown>>>;
    for (const [method, path, why] of NOT_IMPLEMENTED) {
      const op = ops[path]?.[method.toLowerCase()];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op?.deprecated, `${method} ${path}`).toBe(true);
      expect(op?.['x-hookline-not-implemented']).toBe(why);
      const statuses = Object.keys(op?.responses as Record<string, unknown>);
      expect(statuses).toContain('501');
      expect(statuses.filter((s) => s.startsWith('2'))).toEqual([]);
    }
    const served = OPERATIONS.filter((op) => !op.notImplemented);
    expect(
      served.every(
        (op) => !('x-hookline-not-implemented' in (ops[op.path]?.[op.method.toLowerCase()] ?? {})),
      ),
    ).toBe(true);
  });

  it('lists 403 (an app-portal token out of scope) on every authenticated route, and only there', () => {
    const ops = doc.paths as unknown as Record<string, Record<string, { responses: object }>>;
    for (const op of OPERATIONS) {
      const responses = ops[op.path]?.[op.method.toLowerCase()]?.responses ?? {};
      expect('403' in responses, `${op.method} ${op.path}`).toBe(!op.public);
    }
  });

  it('marks Hookline additions with x-hookline', () => {
    const schemas = doc.components.schemas as Record<
      string,
      { properties: Record<string, Record<string, unknown>> }
    >;
    expect(schemas.EndpointOut?.properties.maxInFlight?.['x-hookline']).toBe(true);
    expect(schemas.MessageAttemptOut?.properties.errorClass?.['x-hookline']).toBe(true);
    expect(schemas.EndpointSecretOut?.properties.publicKey?.['x-hookline']).toBe(true);
    expect(schemas.EndpointOut?.properties.url?.['x-hookline']).toBeUndefined();
  });
});

describe('the contract check the test suite runs on every response', () => {
  const ok = {
    method: 'GET',
    routeUrl: '/api/v1/app/:app_id',
    query: {},
    requestBody: undefined,
    status: 200,
    contentType: 'application/json; charset=utf-8',
  };
  const app = {
    id: 'app_1',
    uid: null,
    name: 'Acme',
    rateLimit: null,
    throttleRate: null,
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  it('passes a response as documented', () => {
    expect(contractProblem({ ...ok, body: JSON.stringify(app) })).toBeNull();
  });

  it('catches a missing field, a wrong type, an undocumented field and an undocumented status', () => {
    const { name: _, ...noName } = app;
    expect(contractProblem({ ...ok, body: JSON.stringify(noName) })).toMatch(
      /must have required property 'name'/,
    );
    expect(contractProblem({ ...ok, body: JSON.stringify({ ...app, metadata: { a: 1 } }) })).toMatch(
      /must be string/,
    );
    expect(contractProblem({ ...ok, body: JSON.stringify({ ...app, secret: 'x' }) })).toMatch(
      /additional properties \(secret\)/,
    );
    expect(contractProblem({ ...ok, status: 418, body: '{}' })).toMatch(/status 418 is not in the document/);
    expect(contractProblem({ ...ok, routeUrl: '/api/v1/nowhere', body: '{}' })).toMatch(
      /no entry in the document/,
    );
  });

  it('catches an accepted request the document would refuse', () => {
    const created = {
      ...ok,
      method: 'POST',
      routeUrl: '/api/v1/app',
      status: 201,
      body: JSON.stringify(app),
    };
    expect(contractProblem({ ...created, requestBody: { name: 'Acme' } })).toBeNull();
    expect(contractProblem({ ...created, requestBody: { uid: 'x' } })).toMatch(/ApplicationIn refuses/);
    expect(
      contractProblem({ ...created, requestBody: { name: 'A' }, query: { secret_flag: 'true' } }),
    ).toMatch(/query parameters the document does not list: secret_flag/);
  });
});

forEachBackend(
  'GET /api/v1/openapi.json',
  (backend) => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend);
    });
    afterAll(() => api.close());

    it('answers the document without a token', async () => {
      const res = await api.http('GET', '/api/v1/openapi.json', { token: null });
      expect(res.status).toBe(200);
      expect(res.json.openapi).toBe('3.1.0');
      expect(Object.keys(res.json.paths)).toContain('/api/v1/app/{app_id}/msg');
      expect(res.json.components.securitySchemes.bearerAuth).toEqual(
        expect.objectContaining({ scheme: 'bearer' }),
      );
    });

    it('serves the reference page and its assets with a strict CSP, without a token', async () => {
      for (const [path, type] of [
        ['/docs', 'text/html'],
        ['/docs/docs.js', 'text/javascript'],
        ['/docs/docs.css', 'text/css'],
      ] as const) {
        const res = await api.http('GET', path, { token: null });
        expect(res.status, path).toBe(200);
        expect(res.headers['content-type']).toContain(type);
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
        expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      }
    });

    it('still refuses other routes without a token', async () => {
      expect((await api.http('GET', '/api/v1/app', { token: null })).status).toBe(401);
    });
  },
  ['sqlite'],
);
