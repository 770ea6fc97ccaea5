import type { Attempt } from '../../core/model.js';
import { type AttemptFilter, type AttemptRepo, attemptMessageFilter, type PageQuery } from '../store.js';
import { messageConditions } from './message-views.js';
import type { Db } from './db.js';
import { keyset, Params } from './paging.js';

interface AttemptRow {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  delivery_id: string;
  url: string;
  status: 'success' | 'fail';
  response_status_code: number;
  response: string;
  response_duration_ms: number;
  error_class: Attempt['errorClass'];
  trigger: Attempt['trigger'];
  created_at: Date;
}

const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  appId: r.app_id,
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  deliveryId: r.delivery_id,
  url: r.url,
  status: r.status,
  responseStatusCode: r.response_status_code,
  response: r.response,
  responseDurationMs: r.response_duration_ms,
  errorClass: r.error_class,
  trigger: r.trigger,
  createdAt: r.created_at,
});

function conditions(f: AttemptFilter, p: Params): string {
  const parts: string[] = [];
  if (f.status) parts.push(`status = ${p.add(f.status)}`);
  if (f.before) parts.push(`created_at < ${p.add(f.before)}`);
  if (f.after) parts.push(`created_at > ${p.add(f.after)}`);
  if (f.endpointId) parts.push(`endpoint_id = ${p.add(f.endpointId)}`);
  if (f.statusCodeClass === 0) parts.push('response_status_code = 0');
  else if (f.statusCodeClass !== undefined) {
    parts.push(
      `response_status_code >= ${p.add(f.statusCodeClass)} AND response_status_code < ${p.add(f.statusCodeClass + 100)}`,
    );
  }
  // Message filters, as message lists apply them: one primary-key probe of the attempt's message per row.
  const onMessage = attemptMessageFilter(f);
  if (onMessage)
    parts.push(
      `EXISTS (SELECT 1 FROM messages m WHERE m.id = msg_id AND ${messageConditions(onMessage, p)})`,
    );
  return parts.length ? parts.join(' AND ') : 'true';
}

export function postgresAttempts(db: Db): AttemptRepo {
  const list = async (
    scope: 'msg_id' | 'endpoint_id',
    appId: string,
    scopeId: string,
    filter: AttemptFilter,
    page: PageQuery,
  ) => {
    const p = new Params();
    const where = `app_id = ${p.add(appId)} AND ${scope} = ${p.add(scopeId)} AND ${conditions(filter, p)}`;
    const k = keyset('id', 'desc', page, p);
    const rows = await db.query<AttemptRow>(
      `SELECT * FROM attempts WHERE ${where} AND ${k.where} ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
      p.values,
    );
    const result = k.finish(rows);
    return { items: result.items.map(toAttempt), done: result.done };
  };
  return {
    async get(appId, msgId, attemptId) {
      const rows = await db.query<AttemptRow>(
        'SELECT * FROM attempts WHERE app_id = $1 AND msg_id = $2 AND id = $3',
        [appId, msgId, attemptId],
      );
      return rows[0] ? toAttempt(rows[0]) : null;
    },
    listByMessage: (appId, msgId, filter, page) => list('msg_id', appId, msgId, filter, page),
    listByEndpoint: (appId, endpointId, filter, page) => list('endpoint_id', appId, endpointId, filter, page),
  };
}
