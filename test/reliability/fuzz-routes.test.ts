import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/api/openapi/document.js';
import { type ApiHarness, settleDue, startApi, TOKEN } from '../api/harness.js';
import { forEachBackend } from '../helpers/backends.js';
import { documentedErrors } from './helpers/error-table.js';
import { body, headers, pathSegment, queryString, token } from './helpers/fuzz-input.js';
import { listRoutes, type Route } from './helpers/routes.js';

/**
 * Property: whatever a client sends to any route (random path parameters,
 * query strings, JSON bodies of any shape and size, headers), the API never
 * answers 5xx, and every 4xx carries the `code` docs/api.md's Errors table
 * gives its status (422: a validation detail list). Routes are read from the
 * running Fastify instance. HOOKLINE_FUZZ_RUNS sets the runs per route.
 */
const RUNS = Number(process.env.HOOKLINE_FUZZ_RUNS ?? 5);
const TABLE = documentedErrors();

/** A route's OpenAPI entry, if it has one. */
function operation(route: Route) {
  const path = route.url.replace(/:([a-z_]+)/g, '{$1}');
  return OPERATIONS.find((o) => o.method === route.method && o.path === path);
}
/** The query parameter names a route's OpenAPI entry lists (none for a route without one). */
const queryNames = (route: Route) => (operation(route)?.query ?? []).map((q) => q.name);

interface Answer {
  status: number;
  text: string;
}

function checkAnswer(route: Route, answer: Answer): void {
  const where = `${route.method} ${route.url} -> ${answer.status} ${answer.text.slice(0, 300)}`;
  // The one 5xx the Errors table allows: 501 not_implemented, for a Svix route Hookline does not serve.
  if (answer.status === 501) expect(JSON.parse(answer.text).code, where).toBe('not_implemented');
  else expect(answer.status, where).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(TABLE.has(answer.status), `status not in docs/api.md's Errors table: ${where}`).toBe(true);
  const codes = TABLE.get(answer.status)!;
  if (answer.status === 422) {
    const detail = JSON.parse(answer.text).detail as { loc: unknown[]; msg: string; type: string }[];
    expect(Array.isArray(detail) && detail.length > 0, where).toBe(true);
    for (const issue of detail) {
      expect(Array.isArray(issue.loc), where).toBe(true);
      expect(typeof issue.msg === 'string' && typeof issue.type === 'string', where).toBe(true);
    }
    return;
  }
  if (codes.size === 0) return; // 408: no body by design
  const json = JSON.parse(answer.text) as { code: string; detail: string };
  expect(codes.has(json.code), where).toBe(true);
  expect(typeof json.detail, where).toBe('string');
}

forEachBackend('reliability: every route, fuzzed, never answers 5xx', (backend) => {
  let api: ApiHarness;
  let routes: Route[];
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    api = await startApi(backend, { allowPrivateNetworks: true });
    const http = async (method: 'POST' | 'GET', path: string, b?: unknown) => {
      const res = await api.http(method, `/api/v1${path}`, { body: b });
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
      return res.json;
    };
    // One of everything, so fuzzed requests with real ids get past "not found".
    const app = await http('POST', '/app', { name: 'fuzz', uid: 'fuzz-app' });
    await http('POST', '/event-type', { name: 'fuzz.event', description: 'fuzz' });
    const ep = await http('POST', `/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/hook',
      uid: 'fuzz-ep',
    });
    const msg = await http('POST', `/app/${app.id}/msg`, {
      eventType: 'fuzz.event',
      eventId: 'fuzz-evt',
      payload: { a: 1 },
    });
    await settleDue(api.store, 'retry');
    const attempts = await http('GET', `/app/${app.id}/attempt/msg/${msg.id}`);
    const op = await http('POST', '/operational-webhook/endpoint', { url: 'http://127.0.0.1:9/op' });
    const task = await http('POST', `/app/${app.id}/endpoint/${ep.id}/recover`, {
      since: new Date(0).toISOString(),
    });
    Object.assign(ids, {
      app_id: [app.id, 'fuzz-app'],
      endpoint_id: [ep.id, 'fuzz-ep', op.id],
      msg_id: [msg.id, 'fuzz-evt'],
      attempt_id: [attempts.data[0].id],
      event_type_name: ['fuzz.event'],
      task_id: [task.id],
    });
    // Deletes last, so the other routes keep meeting the real resources.
    // The API's routes; the static pages beside it (/, /docs, /portal) take no input.
    routes = listRoutes(api.app)
      .filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/v1/'))
      .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  });
  afterAll(() => api?.close());

  it('lists the routes from the instance (the fuzzing below covers each)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect(routes).toContainEqual({ method: 'POST', url: '/api/v1/app/:app_id/msg', params: ['app_id'] });
    // Parameters without a real resource here (routes that answer 501, say) are fuzzed with made-up values only.
    const params = new Set(routes.flatMap((r) => r.params));
    for (const p of ['app_id', 'endpoint_id', 'msg_id', 'attempt_id', 'event_type_name', 'task_id'])
      expect(params.has(p) && ids[p] !== undefined, p).toBe(true);
  });

  it('answers a method a route does not serve with 401, 404 or 501 not_implemented', async () => {
    const methods = [
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'SEARCH',
      'LOCK',
    ];
    const served = new Set(routes.map((r) => `${r.method} ${r.url}`));
    let checked = 0;
    for (const url of new Set(routes.map((r) => r.url))) {
      const path = url.replace(/:([a-z_]+)/g, (_, name: string) => encodeURIComponent(`x${name}`));
      for (const method of methods.filter((m) => !served.has(`${m} ${url}`))) {
        for (const auth of [true, false]) {
          const res = await request(`${api.serverUrl}${path}`, {
            method: method as 'GET',
            headers: auth ? { authorization: `Bearer ${TOKEN}` } : {},
          });
          const answer = { status: res.statusCode, text: await res.body.text() };
          checkAnswer({ method, url, params: [] }, answer);
          // 501: a Svix route Hookline does not serve, under that method too.
          if (auth) expect([404, 501], `${method} ${url}`).toContain(answer.status);
          else expect(answer.status, `${method} ${url}`).toBe(401);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers every fuzzed request with a 2xx, or a 4xx whose code docs/api.md documents', async () => {
    const seen = new Map<number, number>();
    for (const route of routes) {
      const params = route.params.map((p) => pathSegment(ids[p] ?? []));
      const sendsBody = route.method !== 'GET' && route.method !== 'DELETE';
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(...params),
          queryString(queryNames(route)),
          sendsBody ? fc.option(body, { freq: 8 }) : fc.constant(null),
          headers,
          token,
          async (segments, query, rawBody, extraHeaders, who) => {
            let i = 0;
            const path = route.url.replace(/:[a-z_]+/g, () => segments[i++]!);
            // A dot segment is navigation, not a value (RFC 3986 5.2.4): the request lands on another
            // route, whose query parameters are not this one's. Its path is still fuzzed; its query is not.
            if (segments.some((s) => s === '.' || s === '..')) query = '';
            const h: Record<string, string> = { ...extraHeaders };
            if (rawBody === null) delete h['content-type'];
            if (who === 'valid') h.authorization = `Bearer ${TOKEN}`;
            if (who === 'wrong') h.authorization = `Bearer ${TOKEN}x`;
            const res = await request(`${api.serverUrl}${path}${query}`, {
              method: route.method as 'GET',
              headers: h,
              body: rawBody ?? undefined,
            });
            // A live stream (tail, listen) never ends by itself: its status and headers are the answer.
            const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
            if (streaming) res.body.destroy();
            const answer = { status: res.statusCode, text: streaming ? '' : await res.body.text() };
            seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
            checkAnswer(route, answer);
            // Without a valid token only public routes answer, save a head too big to read the token from.
            // (Routes without an entry are the contract check's to report: public or not is unknown here.)
            const op = operation(route);
            if (who !== 'valid' && op && !op.public && answer.status !== 431)
              expect(answer.status, `${route.method} ${path}`).toBe(401);
          },
        ),
        // The first counterexample is reported with its seed; shrinking over HTTP would take minutes.
        { numRuns: RUNS, endOnFailure: true },
      );
    }
    // The fuzzing reached past the front door: successes and validation failures both happened.
    expect(seen.get(401)).toBeGreaterThan(0);
    expect(seen.get(422)).toBeGreaterThan(0);
    expect([...seen.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    // And the API still serves a plain request afterwards.
    expect((await api.http('GET', '/api/v1/health', { token: null })).status).toBe(204);
  }, 300_000);
});
