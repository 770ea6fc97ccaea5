import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NOT_IMPLEMENTED } from '../../src/api/routes/not-implemented.js';
import { forEachBackend } from '../helpers/backends.js';
import { ROOT } from '../cli/harness.js';
import { type ApiHarness, settleDue, startApi } from './harness.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every (method, path) the svix@1.99.1 client can call, read from its own source. */
function clientRoutes(): { method: Method; path: string }[] {
  const dist = join(ROOT, 'node_modules', 'svix', 'dist');
  const seen = new Map<string, { method: Method; path: string }>();
  for (const dir of ['api', 'api_internal']) {
    for (const file of readdirSync(join(dist, dir)).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(join(dist, dir, file), 'utf8');
      for (const m of text.matchAll(/HttpMethod\.(GET|POST|PUT|PATCH|DELETE), "([^"]+)"/g)) {
        const route = { method: m[1] as Method, path: m[2]! };
        seen.set(`${route.method} ${route.path}`, route);
      }
    }
  }
  return [...seen.values()];
}

/**
 * Walks every route the svix client calls, with real ids where Hookline keeps
 * the resource: none may answer 404 (a route Hookline does not serve is 501
 * `not_implemented` naming why, never a bare 404). Deletions go last, the
 * deepest first, so they do not take the others' resources away.
 */
forEachBackend(
  'every route of the svix client',
  (backend) => {
    let api: ApiHarness;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      api = await startApi(backend);
      const app = await api.svix.application.create({ name: 'walk', uid: 'walk' });
      const ep = await api.svix.endpoint.create(app.id, { url: 'https://example.com/walk' });
      await api.svix.eventType.create({ name: 'walk.done', description: 'walk' });
      const msg = await api.svix.message.create(app.id, { eventType: 'walk.done', payload: { a: 1 } });
      await settleDue(api.store, 'fail');
      const attempt = (await api.svix.messageAttempt.listByMsg(app.id, msg.id)).data[0]!;
      const task = await api.svix.endpoint.recover(app.id, ep.id, { since: new Date(Date.now() - 60_000) });
      const op = await api.http('POST', '/api/v1/operational-webhook/endpoint', {
        body: { url: 'https://example.com/ops' },
      });
      Object.assign(ids, {
        app_id: app.id,
        endpoint_id: ep.id,
        msg_id: msg.id,
        attempt_id: attempt.id,
        event_type_name: 'walk.done',
        task_id: task.id,
        op_endpoint_id: op.json.id,
      });
    });
    afterAll(() => api.close());

    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => {
        // Operational webhook endpoints have ids of their own.
        if (name === 'endpoint_id' && path.startsWith('/api/v1/operational-webhook/'))
          return ids.op_endpoint_id!;
        return ids[name] ?? 'x';
      });

    it('answers each with something other than 404; the unserved ones 501 naming why', async () => {
      const routes = clientRoutes();
      expect(routes.length).toBeGreaterThan(100);
      const ordered = [
        ...routes.filter((r) => r.method !== 'DELETE'),
        ...routes.filter((r) => r.method === 'DELETE').sort((a, b) => b.path.length - a.path.length),
      ];
      const notImplemented: string[] = [];
      for (const { method, path } of ordered) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const res = await api.http(method, fill(path), body === undefined ? {} : { body });
        expect({ route: `${method} ${path}`, status: res.status }).not.toMatchObject({ status: 404 });
        expect(res.status, `${method} ${path}`).toBeLessThan(600);
        if (res.status === 501) {
          expect(res.json.code).toBe('not_implemented');
          expect(res.json.detail).toMatch(new RegExp(`^${method} \\S+: \\w`));
          notImplemented.push(`${method} ${path}`);
        }
      }
      // The 501 list in src is exactly the client's routes Hookline leaves unserved.
      const clientSide = new Set(routes.map((r) => `${r.method} ${r.path}`));
      for (const [method, path] of NOT_IMPLEMENTED)
        expect(clientSide.has(`${method} ${path}`), path).toBe(true);
      expect(notImplemented.sort()).toEqual(NOT_IMPLEMENTED.map(([m, p]) => `${m} ${p}`).sort());
    });

    it('asks for the token on the 501 routes too', async () => {
      const res = await api.http('GET', '/api/v1/stream', { token: null });
      expect(res.status).toBe(401);
    });
  },
  ['sqlite'],
);
