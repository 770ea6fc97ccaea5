import type { FastifyInstance } from 'fastify';
import { invalid } from '../../core/errors.js';
import type { Application } from '../../core/model.js';
import type { Store } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { Query } from '../query.js';
import { taskStartedOut } from '../tasks.js';
import { Fields } from '../validate.js';

const PAGE = 250;
const MAX_APP_IDS = 1000;

/** Every page of a keyset list, item by item. */
async function* everyItem<T>(
  read: (after: string | undefined) => Promise<{ items: T[]; done: boolean }>,
  key: (item: T) => string,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const page = await read(after);
    yield* page.items;
    const last = page.items.at(-1);
    if (page.done || !last) return;
    after = key(last);
  }
}

/** Messages of the app created in [since, until), by event type. */
async function countMessages(store: Store, appId: string, since?: Date, until?: Date) {
  const byType: Record<string, number> = {};
  let total = 0;
  const filter = {
    ...(since ? { after: new Date(since.getTime() - 1) } : {}),
    ...(until ? { before: until } : {}),
  };
  for await (const m of everyItem(
    (after) => store.messages.list(appId, filter, { limit: PAGE, ...(after ? { after } : {}) }),
    (m) => m.id,
  )) {
    total++;
    byType[m.eventType] = (byType[m.eventType] ?? 0) + 1;
  }
  return { total, byType };
}

/**
 * The usage statistics the svix client exposes, as background tasks: scans
 * of the message tables, so they run after the response and are polled at
 * GET /api/v1/background-task/{id}.
 */
export function statisticsRoutes(app: FastifyInstance, { store, background }: ApiContext): void {
  /**
   * Svix AppUsageStatsIn {since, until, appIds?} -> AppUsageStatsOut (202).
   * The task's data: `{since, until, apps: [{appId, uid, messages}]}`; ids or
   * uids that name no application are listed in `unresolvedAppIds` at once.
   */
  app.post('/api/v1/stats/usage/app', async (request, reply) => {
    new Query(request.query).done();
    const f = Fields.body(request.body);
    const since = f.date('since', true);
    const until = f.date('until', true);
    const appIds = f.stringList('appIds', { min: 1, max: 256, maxItems: MAX_APP_IDS });
    f.done();
    if (since && until && until.getTime() <= since.getTime())
      throw invalid(['body', 'until'], 'must be after since');
    const resolved: Application[] = [];
    const unresolvedAppIds: string[] = [];
    for (const id of appIds ?? []) {
      const found = await store.apps.get(id);
      if (found) resolved.push(found);
      else unresolvedAppIds.push(id);
    }
    const task = await background('application.stats', async () => {
      const apps: { appId: string; uid: string | null; messages: number }[] = [];
      const targets = appIds
        ? resolved
        : everyItem(
            (after) => store.apps.list({ limit: PAGE, ...(after ? { after } : {}) }),
            (a) => a.id,
          );
      for await (const a of targets) {
        const { total } = await countMessages(store, a.id, since, until);
        apps.push({ appId: a.id, uid: a.uid, messages: total });
      }
      return { since: since?.toISOString(), until: until?.toISOString(), apps };
    });
    return reply.code(202).send({ ...taskStartedOut(task), unresolvedAppIds });
  });

  /**
   * Svix AggregateEventTypesOut (202): the task's data is
   * `{eventTypes: [{eventType, messages}]}`, every event type used by a stored
   * message of any application, with its count.
   */
  app.put('/api/v1/stats/usage/event-types', async (request, reply) => {
    new Query(request.query).done();
    const task = await background('event-type.aggregate', async () => {
      const totals: Record<string, number> = {};
      for await (const a of everyItem(
        (after) => store.apps.list({ limit: PAGE, ...(after ? { after } : {}) }),
        (a) => a.id,
      )) {
        const { byType } = await countMessages(store, a.id);
        for (const [type, n] of Object.entries(byType)) totals[type] = (totals[type] ?? 0) + n;
      }
      const eventTypes = Object.entries(totals)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([eventType, messages]) => ({ eventType, messages }));
      return { eventTypes };
    });
    return reply.code(202).send(taskStartedOut(task));
  });
}
