import { type Dialect, Params } from './dialect.js';
import { attemptConditions, messageConditions } from './filters.js';
import { keyset } from './paging.js';
import { deliveryColumns } from './rows.js';
import type { DeliveryStatus } from '../core/model.js';
import type { AttemptFilter, MessageFilter, Page, PageQuery, TaskFilter } from './store.js';

/**
 * The list statements, written once: the same SQL on both backends but for
 * placeholders and two list predicates (dialect.ts). Each returns the
 * statement, its parameters, and `finish`, which turns the rows read (one
 * more than the page, in query order) into the page.
 */
export interface ListStatement {
  text: string;
  values: unknown[];
  finish<T>(rows: T[]): Page<T>;
}

function list(
  d: Dialect,
  from: string,
  select: string,
  where: (p: Params) => string,
  key: { column: string; order: 'asc' | 'desc' },
  page: PageQuery,
): ListStatement {
  const p = new Params(d);
  const conditions = where(p);
  const k = keyset(key.column, key.order, page, p);
  return {
    text: `SELECT ${select} FROM ${from} WHERE ${conditions} AND ${k.where} ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
    values: p.values,
    finish: k.finish,
  };
}

/** Ascending by id; Hookline's own operational application is not the user's to see. */
export const listApps = (d: Dialect, page: PageQuery, hiddenAppId: string) =>
  list(d, 'applications', '*', (p) => `id <> ${p.add(hiddenAppId)}`, { column: 'id', order: 'asc' }, page);

export const listEventTypes = (d: Dialect, page: PageQuery, includeArchived: boolean) =>
  list(
    d,
    'event_types',
    '*',
    (p) => (includeArchived ? d.always : `archived = ${p.add(d.bool(false))}`),
    { column: 'name', order: 'asc' },
    page,
  );

export const listEndpoints = (d: Dialect, appId: string, page: PageQuery) =>
  list(d, 'endpoints', '*', (p) => `app_id = ${p.add(appId)}`, { column: 'id', order: 'asc' }, page);

/** Newest first. */
export const listMessages = (d: Dialect, appId: string, filter: MessageFilter, page: PageQuery) =>
  list(
    d,
    'messages m',
    'm.*',
    (p) => `m.app_id = ${p.add(appId)} AND ${messageConditions(filter, p)}`,
    { column: 'm.id', order: 'desc' },
    page,
  );

/** A message's deliveries, by endpoint id. */
export const listDeliveriesOfMessage = (d: Dialect, appId: string, msgId: string, page: PageQuery) =>
  list(
    d,
    'deliveries d',
    deliveryColumns('d'),
    (p) => `d.app_id = ${p.add(appId)} AND d.msg_id = ${p.add(msgId)}`,
    { column: 'd.endpoint_id', order: 'asc' },
    page,
  );

/** An endpoint's deliveries, newest message first. */
export const listDeliveriesOfEndpoint = (
  d: Dialect,
  appId: string,
  endpointId: string,
  filter: MessageFilter & { status?: DeliveryStatus },
  page: PageQuery,
) =>
  list(
    d,
    'deliveries d JOIN messages m ON m.id = d.msg_id',
    deliveryColumns('d'),
    (p) =>
      `d.app_id = ${p.add(appId)} AND d.endpoint_id = ${p.add(endpointId)} AND ${messageConditions(filter, p)}` +
      (filter.status === undefined ? '' : ` AND d.status = ${p.add(filter.status)}`),
    { column: 'd.msg_id', order: 'desc' },
    page,
  );

/** Attempts of a message or of an endpoint, newest first. */
export const listAttempts = (
  d: Dialect,
  scope: 'msg_id' | 'endpoint_id',
  appId: string,
  scopeId: string,
  filter: AttemptFilter,
  page: PageQuery,
) =>
  list(
    d,
    'attempts',
    '*',
    (p) => `app_id = ${p.add(appId)} AND ${scope} = ${p.add(scopeId)} AND ${attemptConditions(filter, p)}`,
    { column: 'id', order: 'desc' },
    page,
  );

/**
 * Attempts in id order (oldest first) after a cursor, of one application or
 * of every user application (Hookline's hidden one left out), for the live
 * attempt stream (api/attempt-follower.ts).
 */
export const followAttempts = (
  d: Dialect,
  scope: { appId: string } | { hiddenAppId: string },
  filter: AttemptFilter,
  page: PageQuery,
) =>
  list(
    d,
    'attempts',
    '*, (SELECT m.event_type FROM messages m WHERE m.id = attempts.msg_id) AS event_type',
    (p) =>
      `${'appId' in scope ? `app_id = ${p.add(scope.appId)}` : `app_id <> ${p.add(scope.hiddenAppId)}`} AND ${attemptConditions(filter, p)}`,
    { column: 'id', order: 'asc' },
    page,
  );

/** Background tasks by id (time-ordered), filtered by status and kind. */
export const listTasks = (d: Dialect, filter: TaskFilter, page: PageQuery, order: 'asc' | 'desc') =>
  list(
    d,
    'background_tasks',
    'id, task, status, data, created_at, updated_at',
    (p) =>
      [
        filter.status === undefined ? d.always : `status = ${p.add(filter.status)}`,
        filter.task === undefined ? d.always : `task = ${p.add(filter.task)}`,
      ].join(' AND '),
    { column: 'id', order },
    page,
  );
