import { EXHAUSTED_MAX, MAX_BUCKETS } from '../routes/delivery-stats.js';
import { MAX_APP_IDS } from '../routes/statistics.js';
import type { Operation } from './operation.js';
import { array, dateTime, int, nullable, object, type Schema, str } from './schema.js';
import { taskStarted } from './tasks.js';

export const statisticsSchemas: Record<string, Schema> = {
  AppUsageStatsIn: object(
    {
      since: dateTime({ examples: ['2026-01-01T00:00:00Z'] }),
      until: dateTime({ description: 'After `since`', examples: ['2026-01-02T00:00:00Z'] }),
      appIds: nullable(
        array(str({ minLength: 1, maxLength: 256 }), {
          maxItems: MAX_APP_IDS,
          description: 'Ids or uids; absent or null: every application',
        }),
      ),
    },
    ['since', 'until'],
  ),
  AppUsageStatsOut: taskStarted('application.stats', {
    unresolvedAppIds: array(str(), { description: 'The `appIds` that name no application' }),
  }),
  AggregateEventTypesOut: taskStarted('event-type.aggregate'),
  DeliveryStatsOut: object(
    {
      since: dateTime({ description: 'The first bucket’s start (`since` moved back to its bucket’s start)' }),
      until: dateTime(),
      bucket: str({ enum: ['minute', 'hour'] }),
      data: array(
        object(
          {
            start: dateTime(),
            success: int({ minimum: 0, description: 'Attempts that succeeded' }),
            fail: int({ minimum: 0, description: 'Attempts that failed' }),
          },
          ['start', 'success', 'fail'],
        ),
        {
          maxItems: MAX_BUCKETS,
          description: 'Every bucket from `since` to `until`, oldest first, empty ones too',
        },
      ),
    },
    ['since', 'until', 'bucket', 'data'],
  ),
};

const count = (description: string) => int({ minimum: 0, description });
statisticsSchemas.QueueStatsOut = object(
  {
    at: dateTime({ description: 'When the counts were read' }),
    depth: object(
      {
        due: count('Pending, not held, due now: waiting for a worker'),
        scheduled: count('Pending, not held, due later: a retry waiting'),
        inFlight: count('Leased by a worker'),
        parked: count(
          'Held by an endpoint gate (rate limit, caps, ordering, open breaker) or a disabled endpoint',
        ),
        failed: count('Failed for good and still stored'),
      },
      ['due', 'scheduled', 'inFlight', 'parked', 'failed'],
    ),
    oldestDueAt: nullable(
      dateTime({
        description: 'When the longest-waiting due delivery no gate holds became due; null when none is',
      }),
    ),
    endpointsBreakerOpen: count('Endpoints whose circuit breaker is open'),
    endpointsDisabled: count('Endpoints disabled (by the operator, the customer or Hookline)'),
    exhausted: object(
      {
        since: dateTime(),
        data: array(
          object(
            {
              appId: str(),
              endpointId: str(),
              deliveries: int({
                minimum: 1,
                description: 'Deliveries that ran out of retries since `since`',
              }),
              lastAt: dateTime({ description: 'When the last of them did' }),
            },
            ['appId', 'endpointId', 'deliveries', 'lastAt'],
          ),
          { maxItems: EXHAUSTED_MAX, description: 'The most recent first' },
        ),
      },
      ['since', 'data'],
    ),
  },
  ['at', 'depth', 'oldestDueAt', 'endpointsBreakerOpen', 'endpointsDisabled', 'exhausted'],
);

const tag = 'Statistics';

export const statisticsOperations: Operation[] = [
  {
    method: 'POST',
    path: '/api/v1/stats/usage/app',
    operationId: 'v1.statistics.aggregate-app-stats',
    tag,
    summary: 'Count the messages of applications in a time range (a background task)',
    description: 'The task’s data: `{since, until, apps: [{appId, uid, messages}]}`.',
    body: { schema: 'AppUsageStatsIn' },
    responses: { 202: 'AppUsageStatsOut' },
  },
  {
    method: 'PUT',
    path: '/api/v1/stats/usage/event-types',
    operationId: 'v1.statistics.aggregate-event-types',
    tag,
    summary: 'Count the stored messages of every event type (a background task)',
    description: 'The task’s data: `{eventTypes: [{eventType, messages}]}`.',
    responses: { 202: 'AggregateEventTypesOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/stats/deliveries',
    operationId: 'v1.statistics.deliveries',
    tag,
    hookline: true,
    queryNotFound: true,
    summary: 'Delivery attempts by outcome over time, in minute or hour buckets',
    description:
      `Attempts made in [since, until), counted as success and fail per UTC minute or hour (at most ${MAX_BUCKETS} buckets). ` +
      'Every user application, or one (`app_id`), or one of its endpoints (`endpoint_id` with `app_id`). ' +
      'Not for app-portal tokens (403).',
    query: [
      {
        name: 'since',
        schema: dateTime(),
        description:
          'From (moved back to its bucket’s start); default an hour (minute) or a day (hour) before `until`',
      },
      { name: 'until', schema: dateTime(), description: 'Up to, excluded; default now' },
      {
        name: 'bucket',
        schema: str({ enum: ['minute', 'hour'], default: 'minute' }),
        description: 'Bucket size',
      },
      { name: 'app_id', schema: str(), description: 'Only this application (id or uid)' },
      { name: 'endpoint_id', schema: str(), description: 'Only this endpoint (id or uid) of `app_id`' },
    ],
    responses: { 200: 'DeliveryStatsOut' },
  },
  {
    method: 'GET',
    path: '/api/v1/stats/queue',
    operationId: 'hookline.statistics.queue',
    tag,
    summary:
      'The delivery queue now: backlog by state, the oldest due delivery, endpoints that ran out of retries',
    description:
      'Operator token only. The counts are those of /metrics (a few partial-index counts); `exhausted` reads the failed deliveries kept.',
    hookline: true,
    query: [
      {
        name: 'exhausted_since',
        schema: dateTime(),
        description: 'Endpoints whose deliveries failed for good from this time on; default a day ago',
      },
      {
        name: 'limit',
        schema: int({ minimum: 1, maximum: EXHAUSTED_MAX, default: 50 }),
        description: 'At most this many endpoints in `exhausted`',
      },
    ],
    responses: { 200: 'QueueStatsOut' },
  },
];
