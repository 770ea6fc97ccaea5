import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_FILTER_TYPES } from '../../src/api/endpoint-input.js';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi } from './harness.js';

forEachBackend('API: input that would cost every later request', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'limits' })).id;
  });
  afterAll(() => api.close());

  const types = (n: number) => Array.from({ length: n }, (_, i) => `type.n${i}`);

  it(`accepts ${MAX_FILTER_TYPES} filterTypes and refuses one more with a 422, on create, PUT and PATCH`, async () => {
    const ok = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'https://example.com/a', filterTypes: types(MAX_FILTER_TYPES) },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.filterTypes).toHaveLength(MAX_FILTER_TYPES);
    const over = { url: 'https://example.com/a', filterTypes: types(MAX_FILTER_TYPES + 1) };
    for (const [method, path] of [
      ['POST', `/api/v1/app/${appId}/endpoint`],
      ['PUT', `/api/v1/app/${appId}/endpoint/${ok.json.id}`],
      ['PATCH', `/api/v1/app/${appId}/endpoint/${ok.json.id}`],
    ] as const) {
      const res = await api.http(method, path, { body: over });
      expect(res.status, method).toBe(422);
      expect(res.json.detail).toEqual([
        {
          loc: ['body', 'filterTypes'],
          msg: `must have at most ${MAX_FILTER_TYPES} items`,
          type: 'value_error.list.max_items',
        },
      ]);
    }
    // Tens of thousands (under the body limit) are refused on their count, before any is checked.
    const many = Array.from({ length: 60_000 }, (_, i) => `t${i}`);
    const huge = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'https://example.com/a', filterTypes: many },
    });
    expect(huge.status).toBe(422);
    expect(huge.json.detail).toHaveLength(1);
    const stored = await api.store.endpoints.get(appId, ok.json.id);
    expect(stored?.filterTypes).toHaveLength(MAX_FILTER_TYPES);
  });

  it('refuses a custom header named __proto__ (any case) with a 422, on create and on the headers routes', async () => {
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/h' });
    const headersPath = `/api/v1/app/${appId}/endpoint/${ep.id}/headers`;
    // Written as raw JSON: in a JS object literal __proto__ would set the prototype.
    for (const name of ['__proto__', '__PROTO__']) {
      for (const [method, path, rawBody] of [
        [
          'POST',
          `/api/v1/app/${appId}/endpoint`,
          `{"url":"https://example.com/p","headers":{"${name}":"x"}}`,
        ],
        ['PUT', headersPath, `{"headers":{"${name}":"x","X-Ok":"1"}}`],
        ['PATCH', headersPath, `{"headers":{"${name}":"x"}}`],
      ] as const) {
        const res = await api.http(method, path, {
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status, `${method} ${name}`).toBe(422);
        expect(res.json.detail[0].loc).toEqual(['body', 'headers', name]);
        expect(res.json.detail[0].msg).toContain('prototype');
      }
    }
    const got = await api.http('GET', headersPath);
    expect(got.json).toEqual({ headers: {}, sensitive: [] });
  });
});
