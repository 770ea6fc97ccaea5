import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryStatus } from '../../core/model.js';
import { applyChange, type EndpointRepo } from '../store.js';
import type { Db } from './db.js';
import { endpointToggle } from '../../core/transitions.js';
import { postgresDialect } from '../dialect.js';
import {
  endpointColumns,
  type EndpointRow,
  type FieldCipher,
  type HealthRow,
  reseal,
  type SealedRow,
  toEndpoint as mapEndpoint,
  toHealth,
} from '../rows.js';
import { emitOperational, endpointRefs } from './operational.js';
import { statusCounts } from '../status-counts.js';
import { listEndpoints } from '../lists.js';

/**
 * Every open breaker closed (releaseBreakers): its probe backoff forgotten, the
 * failure run kept; closing unparks its deliveries (trigger, 007).
 */
const RELEASE_BREAKERS = `
WITH s AS (
  UPDATE endpoint_state SET breaker_opens = 0, breaker_retry_at = NULL
  WHERE endpoint_id IN (SELECT id FROM endpoints WHERE breaker_open)
), e AS (
  UPDATE endpoints SET breaker_open = false WHERE breaker_open RETURNING id
)
SELECT count(*)::int AS n FROM e`;

/** An endpoint's health, for the API's stats. */
const READ_HEALTH = `
SELECT s.consecutive_failures, s.failing_since, s.breaker_opens, s.breaker_retry_at, e.breaker_open, e.disabled
FROM endpoints e JOIN endpoint_state s ON s.endpoint_id = e.id WHERE e.app_id = $1 AND e.id = $2`;

/** Enabling starts over (core/transitions.ts): a closed breaker and no failure run. */
const RESET_HEALTH = `
WITH s AS (
  UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0,
    breaker_retry_at = NULL
  WHERE endpoint_id = $1
)
UPDATE endpoints SET breaker_open = false WHERE id = $1`;

export function postgresEndpoints(db: Db, cipher: FieldCipher): EndpointRepo {
  const toEndpoint = mapEndpoint(cipher);
  const get = async (appId: string, idOrUid: string) => {
    const rows = await db.query<EndpointRow>(
      'SELECT * FROM endpoints WHERE app_id = $1 AND (id = $2 OR uid = $2) ORDER BY (id = $2) DESC LIMIT 1',
      [appId, idOrUid],
      { name: 'endpoint_get' },
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  };
  return {
    async create(appId, input) {
      const now = new Date();
      const id = newId('ep', now.getTime());
      const rows = await db.query<EndpointRow>(
        `INSERT INTO endpoints (id, app_id, uid, url, description, version, rate_limit, disabled, disabled_reason,
           filter_types, channels, metadata, headers, secrets, max_in_flight, ordered, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         RETURNING *`,
        [id, appId, ...endpointColumns(postgresDialect, cipher, id, input), now],
        { what: `endpoint with uid ${input.uid}` },
      );
      return toEndpoint(rows[0]!);
    },
    get,
    list: (appId, page) => db.page(listEndpoints(postgresDialect, appId, page), toEndpoint),
    async update(appId, id, change) {
      const row = await db.tx(async (q) => {
        // The row lock orders concurrent updates: the toggle follows the real transition,
        // and a change function sees every change committed before it.
        const before = await q<EndpointRow>(
          'SELECT * FROM endpoints WHERE app_id = $1 AND id = $2 FOR UPDATE',
          [appId, id],
        );
        if (!before[0]) throw notFound('endpoint');
        const current = toEndpoint(before[0]);
        const input = applyChange(change, current);
        const rows = await q<EndpointRow>(
          `UPDATE endpoints SET uid = $3, url = $4, description = $5, version = $6, rate_limit = $7, disabled = $8,
             disabled_reason = $9, filter_types = $10, channels = $11, metadata = $12, headers = $13,
             secrets = $14, max_in_flight = $15, ordered = $16, updated_at = $17
           WHERE app_id = $1 AND id = $2 RETURNING *`,
          [appId, id, ...endpointColumns(postgresDialect, cipher, id, input), new Date()],
        );
        const toggle = endpointToggle(appId, current.disabled, input.disabled);
        if (toggle?.resetHealth) await q(RESET_HEALTH, [id]);
        const ref = toggle?.announce ? (await endpointRefs(q, [id])).get(id) : undefined;
        if (toggle && ref) await emitOperational(q, [toggle.event(ref)], new Date());
        return rows[0]!;
      }, 'endpoint with this uid');
      return toEndpoint(row);
    },
    async delete(appId, id) {
      const rows = await db.query('DELETE FROM endpoints WHERE app_id = $1 AND id = $2 RETURNING id', [
        appId,
        id,
      ]);
      if (rows.length === 0) throw notFound('endpoint');
    },
    async releaseBreakers() {
      const rows = await db.query<{ n: number }>(RELEASE_BREAKERS);
      return rows[0]?.n ?? 0;
    },
    async health(appId, id) {
      const rows = await db.query<HealthRow>(READ_HEALTH, [appId, id]);
      if (!rows[0]) throw notFound('endpoint');
      return toHealth(rows[0]);
    },
    async stats(appId, id, since, until) {
      const rows = await db.query<{ found: boolean; status: DeliveryStatus | null; n: number }>(
        `SELECT true AS found, d.status, count(d.id)::int AS n
         FROM endpoints e LEFT JOIN deliveries d
           ON d.endpoint_id = e.id AND d.created_at >= $3 AND ($4::timestamptz IS NULL OR d.created_at < $4)
         WHERE e.app_id = $1 AND e.id = $2
         GROUP BY d.status`,
        [appId, id, since ?? new Date(0), until ?? null],
      );
      if (rows.length === 0) throw notFound('endpoint');
      return statusCounts(rows);
    },
    async reseal({ after, limit, rotate }) {
      return db.tx(async (q) => {
        // Locked for the batch: an API update of one of these rows waits, then writes on top.
        const rows = await q<SealedRow>(
          'SELECT id, headers, secrets FROM endpoints WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE',
          [after ?? '', limit],
        );
        let resealed = 0;
        for (const row of rows) {
          const sealed = reseal(cipher, row, rotate);
          if (!sealed) continue;
          await q('UPDATE endpoints SET headers = $2, secrets = $3 WHERE id = $1', [
            row.id,
            sealed.headers,
            sealed.secrets,
          ]);
          resealed++;
        }
        return { last: rows.at(-1)?.id ?? null, read: rows.length, resealed };
      });
    },
  };
}
