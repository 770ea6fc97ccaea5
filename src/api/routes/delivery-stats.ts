import type { FastifyInstance } from 'fastify';
import { invalid, notFound } from '../../core/errors.js';
import type { AttemptCountScope } from '../../store/store.js';
import { type ApiContext, loadApp } from '../context.js';
import { Query } from '../query.js';

export const BUCKETS = { minute: 60_000, hour: 3_600_000 } as const;
/** A day by the minute, two months by the hour: the most buckets one answer holds. */
export const MAX_BUCKETS = 1440;
/** How far back `exhausted` looks by default, and how many endpoints it names at most. */
export const EXHAUSTED_DEFAULT_SPAN_MS = 24 * 3_600_000;
export const EXHAUSTED_MAX = 250;
/** What `since` defaults to, back from `until`: an hour by the minute, a day by the hour. */
const DEFAULT_SPAN = { minute: 60, hour: 24 } as const;

/**
 * Hookline: delivery attempts counted by outcome over time, for the
 * dashboard's charts (and any other client): one read of the attempts table
 * (AttemptRepo.countByTime). Operator token only: not in portal-scope.ts.
 */
export function deliveryStatsRoutes(app: FastifyInstance, { store }: ApiContext): void {
  app.get('/api/v1/stats/deliveries', async (request) => {
    const q = new Query(request.query);
    const bucket = q.oneOf('bucket', ['minute', 'hour'] as const) ?? 'minute';
    const untilIn = q.date('until');
    const sinceIn = q.date('since');
    const appIdIn = q.string('app_id');
    const endpointIdIn = q.string('endpoint_id');
    q.done();
    const size = BUCKETS[bucket];
    const until = untilIn ?? new Date();
    // Buckets are aligned to the epoch (UTC minutes, hours): `since` moves back to its bucket's start.
    const sinceMs = sinceIn ? sinceIn.getTime() : until.getTime() - DEFAULT_SPAN[bucket] * size;
    const start = Math.floor(sinceMs / size) * size;
    if (until.getTime() <= sinceMs) throw invalid(['query', 'until'], 'must be after since');
    const count = Math.ceil((until.getTime() - start) / size);
    if (count > MAX_BUCKETS) {
      throw invalid(['query', 'since'], `at most ${MAX_BUCKETS} buckets (${bucket}s) from since to until`);
    }
    if (endpointIdIn !== undefined && appIdIn === undefined) {
      throw invalid(['query', 'endpoint_id'], 'needs app_id');
    }
    const scope: AttemptCountScope = { since: new Date(start), until, bucketMs: size };
    if (appIdIn !== undefined) {
      scope.appId = (await loadApp(store, appIdIn)).id;
      if (endpointIdIn !== undefined) {
        const endpoint = await store.endpoints.get(scope.appId, endpointIdIn);
        if (!endpoint) throw notFound('endpoint');
        scope.endpointId = endpoint.id;
      }
    }
    const counted = new Map((await store.attempts.countByTime(scope)).map((b) => [b.start.getTime(), b]));
    // Every bucket, empty ones too, so a chart needs no gap filling.
    const data = Array.from({ length: count }, (_, i) => {
      const at = start + i * size;
      const b = counted.get(at);
      return { start: new Date(at).toISOString(), success: b?.success ?? 0, fail: b?.fail ?? 0 };
    });
    return { since: new Date(start).toISOString(), until: until.toISOString(), bucket, data };
  });

  /**
   * Hookline: the queue now, for the dashboard's overview (and any monitor):
   * the same counts /metrics shows (StoreGauges: a few partial-index counts),
   * the oldest due delivery's time, and the endpoints whose deliveries ran out
   * of retries since `exhausted_since`. Operator token only.
   */
  app.get('/api/v1/stats/queue', async (request) => {
    const q = new Query(request.query);
    const sinceIn = q.date('exhausted_since');
    const limit = q.int('limit', { min: 1, max: EXHAUSTED_MAX }) ?? 50;
    q.done();
    const now = new Date();
    const since = sinceIn ?? new Date(now.getTime() - EXHAUSTED_DEFAULT_SPAN_MS);
    const [gauges, exhausted] = await Promise.all([
      store.gauges(now),
      store.queue.exhaustedEndpoints(since, limit),
    ]);
    return {
      at: now.toISOString(),
      depth: gauges.depth,
      oldestDueAt: gauges.oldestDueAt?.toISOString() ?? null,
      endpointsBreakerOpen: gauges.endpointsBreakerOpen,
      endpointsDisabled: gauges.endpointsDisabled,
      exhausted: {
        since: since.toISOString(),
        data: exhausted.map((e) => ({ ...e, lastAt: e.lastAt.toISOString() })),
      },
    };
  });
}
