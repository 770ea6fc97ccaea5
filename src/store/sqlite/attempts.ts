import type { Attempt } from '../../core/model.js';
import { type AttemptFilter, type AttemptRepo, attemptMessageFilter, type PageQuery } from '../store.js';
import { messageConditions } from './messages.js';
import { type Db, toDate } from './db.js';
import { keyset } from './paging.js';

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
  created_at: number;
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
  createdAt: toDate(r.created_at),
});

function conditions(f: AttemptFilter): { sql: string; params: unknown[] } {
  const clauses: [string, ...unknown[]][] = [];
  if (f.status) clauses.push(['status = ?', f.status]);
  if (f.statusCodeClass === 0) clauses.push(['response_status_code = 0']);
  else if (f.statusCodeClass !== undefined) {
    clauses.push([
      'response_status_code >= ? AND response_status_code < ?',
      f.statusCodeClass,
      f.statusCodeClass + 100,
    ]);
  }
  if (f.before) clauses.push(['created_at < ?', f.before.getTime()]);
  if (f.after) clauses.push(['created_at > ?', f.after.getTime()]);
  if (f.endpointId) clauses.push(['endpoint_id = ?', f.endpointId]);
  // Message filters, as message lists apply them: one primary-key probe of the attempt's message per row.
  const onMessage = attemptMessageFilter(f);
  if (onMessage) {
    const m = messageConditions(onMessage);
    clauses.push([`EXISTS (SELECT 1 FROM messages m WHERE m.id = msg_id AND ${m.sql})`, ...m.params]);
  }
  return {
    sql: clauses.length ? clauses.map(([sql]) => sql).join(' AND ') : '1 = 1',
    params: clauses.flatMap(([, ...values]) => values),
  };
}

export function sqliteAttempts(db: Db): AttemptRepo {
  const list = (
    scope: 'msg_id' | 'endpoint_id',
    appId: string,
    scopeId: string,
    filter: AttemptFilter,
    page: PageQuery,
  ) => {
    const k = keyset('id', 'desc', page);
    const c = conditions(filter);
    const rows = db
      .prepare<unknown[], AttemptRow>(
        `SELECT * FROM attempts WHERE app_id = ? AND ${scope} = ? AND ${c.sql} AND ${k.where}
         ORDER BY ${k.orderBy} LIMIT ?`,
      )
      .all(appId, scopeId, ...c.params, ...k.params, k.limit);
    const result = k.finish(rows);
    return { items: result.items.map(toAttempt), done: result.done };
  };
  return {
    async get(appId, msgId, attemptId) {
      const row = db
        .prepare<[string, string, string], AttemptRow>(
          'SELECT * FROM attempts WHERE app_id = ? AND msg_id = ? AND id = ?',
        )
        .get(appId, msgId, attemptId);
      return row ? toAttempt(row) : null;
    },
    async listByMessage(appId, msgId, filter, page) {
      return list('msg_id', appId, msgId, filter, page);
    },
    async listByEndpoint(appId, endpointId, filter, page) {
      return list('endpoint_id', appId, endpointId, filter, page);
    },
  };
}
