import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryStatus, Endpoint, EndpointSecret } from '../../core/model.js';
import { fromStoredSecrets, type StoredSecret, storeSecrets } from '../secrets.js';
import { applyChange, type EndpointInput, type EndpointRepo } from '../store.js';
import { type Db, json, mapSqliteError, parseJson, toDate } from './db.js';
import { endpointDisabledEvent, endpointEnabledEvent, OPERATIONAL_APP_ID } from '../operational.js';
import { sqliteOperational } from './operational.js';
import { keyset } from './paging.js';
import { statusCounts } from '../status-counts.js';

export interface EndpointRow {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rate_limit: number | null;
  disabled: number;
  disabled_reason: string | null;
  filter_types: string | null;
  channels: string | null;
  metadata: string;
  headers: string;
  secrets: string;
  max_in_flight: number | null;
  ordered: number;
  created_at: number;
  updated_at: number;
}

/** The secrets column as JSON text (shared layout: store/secrets.ts). */
export const parseSecrets = (text: string): EndpointSecret[] =>
  fromStoredSecrets(JSON.parse(text) as StoredSecret[]);

export const toEndpoint = (r: EndpointRow): Endpoint => ({
  id: r.id,
  appId: r.app_id,
  uid: r.uid,
  url: r.url,
  description: r.description,
  version: r.version,
  rateLimit: r.rate_limit,
  disabled: r.disabled === 1,
  disabledReason: r.disabled_reason,
  filterTypes: parseJson(r.filter_types),
  channels: parseJson(r.channels),
  metadata: JSON.parse(r.metadata),
  headers: JSON.parse(r.headers),
  secrets: parseSecrets(r.secrets),
  maxInFlight: r.max_in_flight,
  ordered: r.ordered === 1,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const columns = (i: EndpointInput) =>
  [
    i.uid,
    i.url,
    i.description,
    i.version,
    i.rateLimit,
    i.disabled ? 1 : 0,
    i.disabled ? i.disabledReason : null,
    json(i.filterTypes),
    json(i.channels),
    JSON.stringify(i.metadata),
    JSON.stringify(i.headers),
    storeSecrets(i.secrets),
    i.maxInFlight,
    i.ordered ? 1 : 0,
  ] as const;

export function sqliteEndpoints(db: Db): EndpointRepo {
  const byIdOrUid = db.prepare<[string, string, string], EndpointRow>(
    'SELECT * FROM endpoints WHERE app_id = ? AND (id = ? OR uid = ?)',
  );
  const get = (appId: string, idOrUid: string) => {
    const row = byIdOrUid.get(appId, idOrUid, idOrUid);
    return row ? toEndpoint(row) : null;
  };
  // Prepared on first use: the repos are built before other tables' statements are needed.
  let ops: ReturnType<typeof sqliteOperational> | undefined;
  const operational = () => (ops ??= sqliteOperational(db));
  return {
    async create(appId, input) {
      const now = Date.now();
      const id = newId('ep', now);
      try {
        db.prepare(
          `INSERT INTO endpoints (id, app_id, uid, url, description, version, rate_limit, disabled, disabled_reason,
             filter_types, channels, metadata, headers, secrets, max_in_flight, ordered, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, appId, ...columns(input), now, now);
      } catch (err) {
        mapSqliteError(err, `endpoint with uid ${input.uid}`);
      }
      return get(appId, id)!;
    },
    async get(appId, idOrUid) {
      return get(appId, idOrUid);
    },
    async list(appId, page) {
      const k = keyset('id', 'asc', page);
      const rows = db
        .prepare<unknown[], EndpointRow>(
          `SELECT * FROM endpoints WHERE app_id = ? AND ${k.where} ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(appId, ...k.params, k.limit);
      const result = k.finish(rows);
      return { items: result.items.map(toEndpoint), done: result.done };
    },
    async update(appId, id, change) {
      const ops = operational();
      const update = db.transaction(() => {
        const row = db
          .prepare<[string, string], EndpointRow>('SELECT * FROM endpoints WHERE app_id = ? AND id = ?')
          .get(appId, id);
        if (!row) throw notFound('endpoint');
        const input = applyChange(change, toEndpoint(row));
        db.prepare(
          `UPDATE endpoints SET uid = ?, url = ?, description = ?, version = ?, rate_limit = ?, disabled = ?,
             disabled_reason = ?, filter_types = ?, channels = ?, metadata = ?, headers = ?, secrets = ?,
             max_in_flight = ?, ordered = ?, updated_at = ?
           WHERE app_id = ? AND id = ?`,
        ).run(...columns(input), Date.now(), appId, id);
        if ((row.disabled === 1) === input.disabled) return;
        // Enabling starts over: a closed breaker and no failure run, or the next failure would disable it again.
        if (!input.disabled) {
          db.prepare(
            `UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0,
               breaker_retry_at = NULL WHERE endpoint_id = ?`,
          ).run(id);
          db.prepare('UPDATE endpoints SET breaker_open = 0 WHERE id = ?').run(id);
        }
        const ref = appId === OPERATIONAL_APP_ID ? undefined : ops.ref(id);
        if (ref) {
          ops.emit(
            [input.disabled ? endpointDisabledEvent(ref, 'manual', null) : endpointEnabledEvent(ref)],
            Date.now(),
          );
        }
      });
      try {
        update.immediate();
      } catch (err) {
        mapSqliteError(err, 'endpoint with this uid');
      }
      return get(appId, id)!;
    },
    async delete(appId, id) {
      const { changes } = db.prepare('DELETE FROM endpoints WHERE app_id = ? AND id = ?').run(appId, id);
      if (changes === 0) throw notFound('endpoint');
    },
    async stats(appId, id, since, until) {
      if (!get(appId, id)) throw notFound('endpoint');
      const rows = db
        .prepare<[string, number, number], { status: DeliveryStatus; n: number }>(
          `SELECT status, COUNT(*) AS n FROM deliveries
           WHERE endpoint_id = ? AND created_at >= ? AND created_at < ? GROUP BY status`,
        )
        .all(id, since?.getTime() ?? 0, until?.getTime() ?? Number.MAX_SAFE_INTEGER);
      return statusCounts(rows);
    },
  };
}
