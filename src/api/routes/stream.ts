import type { FastifyInstance } from 'fastify';
import { invalid, notFound } from '../../core/errors.js';
import type { AttemptFilter } from '../../store/store.js';
import { followAttempts } from '../attempt-follower.js';
import { type ApiContext, loadApp } from '../context.js';
import { attemptOut } from '../out.js';
import { Query } from '../query.js';
import type { StreamRegistry } from '../sse.js';

/** Seconds past the request timeout that a recorded attempt may still arrive (recorder batching, retried writes). */
const COMMIT_MARGIN_MS = 10_000;
const POLL_MS = 500;

/**
 * GET /api/v1/stream/attempts: new attempts as server-sent events, one
 * `event: attempt` per attempt with `id:` its attempt id (resume with
 * Last-Event-ID) and `data:` the attempt (the attempt list's shape, plus
 * `appId` and `eventType`). Filters: `app_id` (id or uid; else every
 * application), `endpoint_id` (with app_id), `event_types`, `status`
 * (0 success, 2 fail). Read from the store (attempt-follower.ts), so it works
 * whichever process's worker sent them.
 */
export function streamRoutes(app: FastifyInstance, ctx: ApiContext, streams: StreamRegistry): void {
  const { store, config } = ctx;
  app.get('/api/v1/stream/attempts', async (request, reply) => {
    const q = new Query(request.query);
    const appRef = q.string('app_id');
    const endpointRef = q.string('endpoint_id');
    const eventTypes = q.list('event_types');
    // Attempts are only ever success (0) or fail (2).
    const status = q.oneOf('status', ['0', '2'] as const);
    q.done();
    if (endpointRef !== undefined && appRef === undefined) {
      throw invalid(['query', 'endpoint_id'], 'needs app_id', 'value_error.missing');
    }
    const application = appRef === undefined ? null : await loadApp(store, appRef);
    const filter: AttemptFilter = {};
    if (eventTypes) filter.eventTypes = eventTypes;
    if (status === '0') filter.status = 'success';
    if (status === '2') filter.status = 'fail';
    if (application && endpointRef !== undefined) {
      const endpoint = await store.endpoints.get(application.id, endpointRef);
      if (!endpoint) throw notFound('endpoint');
      filter.endpointId = endpoint.id;
    }
    const lastEventId = request.headers['last-event-id'];
    const stream = streams.open(request, reply);
    void followAttempts({
      store,
      appId: application?.id ?? null,
      filter,
      lastEventId: typeof lastEventId === 'string' ? lastEventId : null,
      lagMs: config.requestTimeoutMs + COMMIT_MARGIN_MS,
      pollMs: POLL_MS,
      signal: stream.signal,
      onAttempt: (a) =>
        stream.send('attempt', { ...attemptOut(a), appId: a.appId, eventType: a.eventType }, a.id),
      onError: (err) => ctx.log.warn({ err }, 'attempt stream: store read failed, retrying'),
    });
  });
}
