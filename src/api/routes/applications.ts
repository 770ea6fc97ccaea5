import type { FastifyInstance } from 'fastify';
import { HooklineError } from '../../core/errors.js';
import type { Application } from '../../core/model.js';
import type { AppInput } from '../../store/store.js';
import { type ApiContext, type AppParams, loadApp } from '../context.js';
import { appOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { eitherRate, Fields, readUid } from '../validate.js';

const MAX_RATE = 2_147_483_647;

/** ApplicationIn (create, PUT) or ApplicationPatch read onto `base` (null: defaults). */
export function readApplication(f: Fields, base: AppInput | null): AppInput {
  const name = f.string('name', { required: base === null, min: 1, max: 256 });
  const uid = readUid(f);
  const rateLimit = f.nullableInt('rateLimit', { min: 1, max: MAX_RATE });
  const throttleRate = f.nullableInt('throttleRate', { min: 1, max: MAX_RATE });
  const metadata = f.stringMap('metadata');
  const rate = eitherRate(rateLimit, throttleRate);
  return {
    name: name ?? base?.name ?? '',
    uid: uid !== undefined ? uid : (base?.uid ?? null),
    rateLimit: rate !== undefined ? rate : (base?.rateLimit ?? null),
    metadata: metadata ?? base?.metadata ?? {},
  };
}

const inputOf = (app: Application): AppInput => ({
  uid: app.uid,
  name: app.name,
  rateLimit: app.rateLimit,
  metadata: app.metadata,
});

/** Svix list filters Hookline does not implement; `false` is harmless. */
function refuseAppFilters(q: Query): void {
  for (const name of [
    'exclude_apps_with_no_endpoints',
    'exclude_apps_with_disabled_endpoints',
    'exclude_apps_with_svix_play_endpoints',
  ]) {
    if (q.bool(name) === true) q.unsupported(name);
  }
}

export function applicationRoutes(app: FastifyInstance, { store }: ApiContext): void {
  app.get('/api/v1/app', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    q.oneOf('order', ['ascending'] as const);
    refuseAppFilters(q);
    q.done();
    return listOut(await store.apps.list(page), (a) => a.id, appOut);
  });

  app.post('/api/v1/app', async (request, reply) => {
    const q = new Query(request.query);
    const getIfExists = q.bool('get_if_exists') ?? false;
    q.done();
    const f = Fields.body(request.body);
    const input = readApplication(f, null);
    f.done();
    if (getIfExists && input.uid !== null) {
      const existing = await store.apps.get(input.uid);
      if (existing) return reply.code(200).send(appOut(existing));
    }
    try {
      return reply.code(201).send(appOut(await store.apps.create(input)));
    } catch (err) {
      // Two get_if_exists creates racing: the loser returns the winner's app.
      if (getIfExists && input.uid !== null && err instanceof HooklineError && err.code === 'CONFLICT') {
        const existing = await store.apps.get(input.uid);
        if (existing) return reply.code(200).send(appOut(existing));
      }
      throw err;
    }
  });

  app.get<{ Params: AppParams }>('/api/v1/app/:app_id', async (request) => {
    return appOut(await loadApp(store, request.params.app_id));
  });

  app.put<{ Params: AppParams }>('/api/v1/app/:app_id', async (request) => {
    const existing = await loadApp(store, request.params.app_id);
    const f = Fields.body(request.body);
    const input = readApplication(f, null);
    f.done();
    return appOut(await store.apps.update(existing.id, input));
  });

  app.patch<{ Params: AppParams }>('/api/v1/app/:app_id', async (request) => {
    const existing = await loadApp(store, request.params.app_id);
    const f = Fields.body(request.body);
    const input = readApplication(f, inputOf(existing));
    f.done();
    return appOut(await store.apps.update(existing.id, input));
  });

  app.delete<{ Params: AppParams }>('/api/v1/app/:app_id', async (request, reply) => {
    const existing = await loadApp(store, request.params.app_id);
    await store.apps.delete(existing.id);
    return reply.code(204).send();
  });
}
