import { OPERATIONAL_APP_ID } from '../core/operational.js';
import { type Dialect, Params } from './dialect.js';
import type { ExhaustedEndpoint } from './store.js';

/**
 * The statement behind DeliveryQueue.exhaustedEndpoints, written once. A
 * delivery that ran out of retries is `status = 'fail'`, and its `updated_at`
 * is when it did (the attempt that failed it last moved it). The scan walks
 * the partial index deliveries_failed, so it costs in proportion to the failed
 * deliveries kept (retention bounds them), never to the whole history.
 */
export function exhaustedEndpointsStatement(
  d: Dialect,
  since: Date,
  limit: number,
): { text: string; values: unknown[] } {
  const p = new Params(d);
  const text = `SELECT app_id, endpoint_id, count(*) AS deliveries, max(updated_at) AS last_at
  FROM deliveries
 WHERE status = 'fail' AND updated_at >= ${p.add(d.time(since))} AND app_id <> ${p.add(OPERATIONAL_APP_ID)}
 GROUP BY app_id, endpoint_id
 ORDER BY last_at DESC, endpoint_id
 LIMIT ${p.add(limit)}`;
  return { text, values: p.values };
}

export interface ExhaustedRow {
  app_id: string;
  endpoint_id: string;
  deliveries: number | string;
  last_at: number | Date;
}

export const toExhausted = (r: ExhaustedRow): ExhaustedEndpoint => ({
  appId: r.app_id,
  endpointId: r.endpoint_id,
  deliveries: Number(r.deliveries),
  lastAt: new Date(r.last_at),
});
