import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryStatus } from '../../core/model.js';
import { endpointToggle } from '../../core/transitions.js';
import { sqliteDialect } from '../dialect.js';
import {
  endpointColumns,
  type EndpointRow,
  type FieldCipher,
  type HealthRow,
  reseal,
  type SealedRow,
  toEndpoint,
  toHealth,
} from '../rows.js';
import { statusCounts } from '../status-counts.js';
import { applyChange, type EndpointRepo, type ResealBatch } from '../store.js';
import { BOUND_LIMIT, type Db, mapSqliteError, readPage } from './db.js';
import { sqliteOperational } from './operational.js';
import { listEndpoints } from '../lists.js';

/** Breakers released (releaseBreakers): their probe backoff forgotten, then closed (which unparks, trigger 007). */
const FORGET_PROBES = `
UPDATE endpoint_state SET breaker_opens = 0, breaker_retry_at = NULL
WHERE endpoint_id IN (SELECT id FROM endpoints WHERE breaker_open = 1)`;
const CLOSE_ALL_BREAKERS = 'UPDATE endpoints SET breaker_open = 0 WHERE breaker_open = 1';

/** An endpoint's health, for the API's stats. */
const READ_HEALTH = `
SELECT s.consecutive_failures, s.failing_since, s.breaker_opens, s.breaker_retry_at, e.breaker_open, e.disabled
FROM endpoints e JOIN endpoint_state s ON s.endpoint_id = e.id WHERE e.app_id = ? AND e.id = ?`;

const UPDATE = `
UPDATE endpoints SET uid = ?, url = ?, description = ?, version = ?, rate_limit = ?, disabled = ?,
  disabled_reason = ?, filter_types = ?, channels = ?, metadata = ?, headers = ?, secrets = ?,
  max_in_flight = ?, ordered = ?, updated_at = ?
WHERE app_id = ? AND id = ?`;

/** Enabling starts over (core/transitions.ts): a closed breaker and no failure run. */
const RESET_HEALTH = `
UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0,
  breaker_retry_at = NULL
WHERE endpoint_id = ?`;
const CLOSE_BREAKER = 'UPDATE endpoints SET breaker_open = 0 WHERE id = ?';

export function sqliteEndpoints(db: Db, cipher: FieldCipher): EndpointRepo {
  const mapEndpoint = toEndpoint(cipher);
  const byIdOrUid = db.prepare<[string, string, string, string], EndpointRow>(
    'SELECT * FROM endpoints WHERE app_id = ? AND (id = ? OR uid = ?) ORDER BY (id = ?) DESC LIMIT 1',
  );
  const get = (appId: string, idOrUid: string) => {
    const row = byIdOrUid.get(appId, idOrUid, idOrUid, idOrUid);
    return row ? mapEndpoint(row) : null;
  };
  const ops = sqliteOperational(db);
  const update = db.transaction(
    (appId: string, id: string, change: Parameters<EndpointRepo['update']>[2]) => {
      const row = db
        .prepare<[string, string], EndpointRow>('SELECT * FROM endpoints WHERE app_id = ? AND id = ?')
        .get(appId, id);
      if (!row) throw notFound('endpoint');
      const before = mapEndpoint(row);
      const input = applyChange(change, before);
      db.prepare(UPDATE).run(...endpointColumns(sqliteDialect, cipher, id, input), Date.now(), appId, id);
      const toggle = endpointToggle(appId, before.disabled, input.disabled);
      if (toggle?.resetHealth) {
        db.prepare(RESET_HEALTH).run(id);
        db.prepare(CLOSE_BREAKER).run(id);
      }
      const ref = toggle?.announce ? ops.ref(id) : undefined;
      if (toggle && ref) ops.emit([toggle.event(ref)], Date.now());
    },
  );
  const resealBatch = db.transaction((after: string | null, limit: number, rotate: boolean): ResealBatch => {
    const rows = db
      .prepare<[string, number], SealedRow>(
        `SELECT id, headers, secrets FROM endpoints WHERE id > ? ORDER BY id ${BOUND_LIMIT}`,
      )
      .all(after ?? '', limit);
    const write = db.prepare('UPDATE endpoints SET headers = ?, secrets = ? WHERE id = ?');
    let resealed = 0;
    for (const row of rows) {
      const sealed = reseal(cipher, row, rotate);
      if (sealed) resealed += write.run(sealed.headers, sealed.secrets, row.id).changes;
    }
    return { last: rows.at(-1)?.id ?? null, read: rows.length, resealed };
  });
  return {
    async create(appId, input) {
      const now = Date.now();
      const id = newId('ep', now);
      try {
        db.prepare(
          `INSERT INTO endpoints (id, app_id, uid, url, description, version, rate_limit, disabled, disabled_reason,
             filter_types, channels, metadata, headers, secrets, max_in_flight, ordered, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, appId, ...endpointColumns(sqliteDialect, cipher, id, input), now, now);
      } catch (err) {
        mapSqliteError(err, `endpoint with uid ${input.uid}`);
      }
      return get(appId, id)!;
    },
    get: async (appId, idOrUid) => get(appId, idOrUid),
    list: async (appId, page) => readPage(db, listEndpoints(sqliteDialect, appId, page), mapEndpoint),
    async update(appId, id, change) {
      // One IMMEDIATE transaction: the change function sees the row as it is, and nothing writes in between.
      try {
        update.immediate(appId, id, change);
      } catch (err) {
        mapSqliteError(err, 'endpoint with this uid');
      }
      return get(appId, id)!;
    },
    async delete(appId, id) {
      const { changes } = db.prepare('DELETE FROM endpoints WHERE app_id = ? AND id = ?').run(appId, id);
      if (changes === 0) throw notFound('endpoint');
    },
    async releaseBreakers() {
      return db
        .transaction(() => {
          db.prepare(FORGET_PROBES).run();
          return db.prepare(CLOSE_ALL_BREAKERS).run().changes;
        })
        .immediate();
    },
    async health(appId, id) {
      const row = db.prepare<[string, string], HealthRow>(READ_HEALTH).get(appId, id);
      if (!row) throw notFound('endpoint');
      return toHealth(row);
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
    // IMMEDIATE: read and rewritten with no writer in between, so an API update is never overwritten.
    reseal: async ({ after, limit, rotate }) => resealBatch.immediate(after, limit, rotate),
  };
}
