import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DeliveryStatus } from '../../core/model.js';
import { applyChange, type EndpointInput, type EndpointRepo } from '../store.js';
import type { Db } from './db.js';
import { endpointDisabledEvent, endpointEnabledEvent, OPERATIONAL_APP_ID } from '../operational.js';
import { emitOperational, endpointRefs } from './operational.js';
import { keyset, Params } from './paging.js';
import { storeSecrets } from '../secrets.js';
import { type EndpointRow, toEndpoint } from './rows.js';
import { statusCounts } from '../status-counts.js';

/** $3..$16 of INSERT and UPDATE, in column order. */
const columns = (i: EndpointInput) => [
  i.uid,
  i.url,
  i.description,
  i.version,
  i.rateLimit,
  i.disabled,
  i.disabled ? i.disabledReason : null,
  i.filterTypes,
  i.channels,
  JSON.stringify(i.metadata),
  JSON.stringify(i.headers),
  storeSecrets(i.secrets),
  i.maxInFlight,
  i.ordered,
];

/**
 * Deliveries of a disabled endpoint are parked (due_at NULL, next_attempt_at
 * kept) so they do not sit at the head of the due index where every claim
 * would scan past them; enabling the endpoint makes them due again.
 */
export const PARK_DELIVERIES = `UPDATE deliveries SET due_at = NULL
  WHERE endpoint_id = $1 AND status = 'pending' AND due_at IS NOT NULL`;
const UNPARK_DELIVERIES = `UPDATE deliveries SET due_at = next_attempt_at
  WHERE endpoint_id = $1 AND status = 'pending' AND due_at IS NULL`;

/** Enabling starts over: a closed breaker and no failure run, or the next failure would disable it again. */
const RESET_HEALTH = `
WITH s AS (
  UPDATE endpoint_state SET consecutive_failures = 0, failing_since = NULL, breaker_opens = 0,
    breaker_retry_at = NULL
  WHERE endpoint_id = $1
)
UPDATE endpoints SET breaker_open = false WHERE id = $1`;

export function postgresEndpoints(db: Db): EndpointRepo {
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
      const rows = await db.query<EndpointRow>(
        `INSERT INTO endpoints (id, app_id, uid, url, description, version, rate_limit, disabled, disabled_reason,
           filter_types, channels, metadata, headers, secrets, max_in_flight, ordered, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         RETURNING *`,
        [newId('ep', now.getTime()), appId, ...columns(input), now],
        { what: `endpoint with uid ${input.uid}` },
      );
      return toEndpoint(rows[0]!);
    },
    get,
    async list(appId, page) {
      const p = new Params();
      const app = p.add(appId);
      const k = keyset('id', 'asc', page, p);
      const rows = await db.query<EndpointRow>(
        `SELECT * FROM endpoints WHERE app_id = ${app} AND ${k.where} ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
        p.values,
      );
      const result = k.finish(rows);
      return { items: result.items.map(toEndpoint), done: result.done };
    },
    async update(appId, id, change) {
      const row = await db.tx(async (q) => {
        // The row lock orders concurrent updates, so park/unpark follows the real
        // transition, and a change function sees every change committed before it.
        const before = await q<EndpointRow>(
          'SELECT * FROM endpoints WHERE app_id = $1 AND id = $2 FOR UPDATE',
          [appId, id],
        );
        if (!before[0]) throw notFound('endpoint');
        const input = applyChange(change, toEndpoint(before[0]));
        const rows = await q<EndpointRow>(
          `UPDATE endpoints SET uid = $3, url = $4, description = $5, version = $6, rate_limit = $7, disabled = $8,
             disabled_reason = $9, filter_types = $10, channels = $11, metadata = $12, headers = $13,
             secrets = $14, max_in_flight = $15, ordered = $16, updated_at = $17
           WHERE app_id = $1 AND id = $2 RETURNING *`,
          [appId, id, ...columns(input), new Date()],
        );
        if (before[0].disabled !== input.disabled) {
          await q(input.disabled ? PARK_DELIVERIES : UNPARK_DELIVERIES, [id]);
          if (!input.disabled) await q(RESET_HEALTH, [id]);
          const ref = appId === OPERATIONAL_APP_ID ? undefined : (await endpointRefs(q, [id])).get(id);
          if (ref) {
            const event = input.disabled
              ? endpointDisabledEvent(ref, 'manual', null)
              : endpointEnabledEvent(ref);
            await emitOperational(q, [event], new Date());
          }
        }
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
  };
}
