import { MAX_APP_IDS } from '../routes/statistics.js';
import type { Operation } from './operation.js';
import { array, dateTime, nullable, object, type Schema, str } from './schema.js';
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
};

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
];
