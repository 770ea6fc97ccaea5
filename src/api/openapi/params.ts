import type { QueryParam } from './operation.js';
import { array, bool, dateTime, int, str } from './schema.js';

/** Path parameters by name, shared by every route that has them. */
export const PATH_PARAMS: Record<string, string> = {
  app_id: "The application's id or uid",
  endpoint_id: "The endpoint's id or uid",
  msg_id: "The message's id or eventId",
  attempt_id: "The attempt's id",
  event_type_name: "The event type's name",
  task_id: "The background task's id",
};

export const LIMIT: QueryParam = {
  name: 'limit',
  schema: int({ minimum: 1, maximum: 250, default: 50 }),
  description: 'Items per page',
};
export const ITERATOR: QueryParam = {
  name: 'iterator',
  schema: str(),
  description: 'The `iterator` (next page) or `prevIterator` (previous page) of the page before',
};
export const ORDER: QueryParam = {
  name: 'order',
  schema: str({ enum: ['ascending'] }),
  description: 'Lists are in ascending order (the only order Hookline has)',
};
export const PAGE = [LIMIT, ITERATOR];

export const WITH_CONTENT: QueryParam = {
  name: 'with_content',
  schema: bool({ default: true }),
  description: 'Include payloads; `false` answers `payload: {}`',
};

/** The filters message lists share (messages, an endpoint's messages, attempts). */
export const MESSAGE_FILTERS: QueryParam[] = [
  {
    name: 'event_types',
    schema: array(str()),
    description: 'Only these event types (comma-separated or repeated)',
  },
  { name: 'channel', schema: str(), description: 'Only messages on this channel' },
  { name: 'tag', schema: str(), description: 'Only messages with this tag' },
  { name: 'before', schema: dateTime(), description: 'Only items created before this time' },
  { name: 'after', schema: dateTime(), description: 'Only items created after this time' },
];

export const STATUS: QueryParam = {
  name: 'status',
  schema: int({ enum: [0, 1, 2, 3, 4] }),
  description: 'Only this delivery status (0 success, 1 pending, 2 fail, 3 sending, 4 canceled)',
};
export const EXPANDED_STATUSES: QueryParam = {
  name: 'expanded_statuses',
  schema: bool(),
  description: 'Accepted for Svix clients; Hookline always reports expanded statuses',
};
