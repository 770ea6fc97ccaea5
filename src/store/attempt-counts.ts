import { idFloor } from '../core/ids.js';
import { OPERATIONAL_APP_ID } from '../core/operational.js';
import { type Dialect, Params } from './dialect.js';
import type { AttemptCountBucket, AttemptCountScope } from './store.js';

/**
 * The statement behind AttemptRepo.countByTime, written once: the backends
 * differ only in how a row's bucket start (epoch ms) is computed from
 * `created_at` (`bucketOf`, given a placeholder of the bucket size per use;
 * SQLite's `?` cannot be used twice).
 *
 * An attempt's id starts with its creation time (core/ids.ts), never earlier
 * than its `created_at`, so `id >= idFloor(since)` bounds the scan through the
 * primary key (or `attempts_endpoint` for one endpoint) with no index on
 * `created_at`; `created_at` then decides exactly.
 */
export function countAttemptsStatement(
  d: Dialect,
  bucketOf: (size: () => string) => string,
  scope: AttemptCountScope,
): { text: string; values: unknown[] } {
  const p = new Params(d);
  const start = bucketOf(() => p.add(scope.bucketMs));
  const where = [
    `id >= ${p.add(idFloor('atmpt', scope.since.getTime()))}`,
    `created_at >= ${p.add(d.time(scope.since))}`,
    `created_at < ${p.add(d.time(scope.until))}`,
  ];
  if (scope.appId !== undefined) where.push(`app_id = ${p.add(scope.appId)}`);
  else where.push(`app_id <> ${p.add(OPERATIONAL_APP_ID)}`);
  if (scope.endpointId !== undefined) where.push(`endpoint_id = ${p.add(scope.endpointId)}`);
  const text = `SELECT ${start} AS start,
       SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS success,
       SUM(CASE WHEN status = 'fail' THEN 1 ELSE 0 END) AS fail
  FROM attempts
 WHERE ${where.join('\n   AND ')}
 GROUP BY 1
 ORDER BY 1`;
  return { text, values: p.values };
}

export interface AttemptCountRow {
  start: number | string;
  success: number | string;
  fail: number | string;
}

export const toAttemptCount = (r: AttemptCountRow): AttemptCountBucket => ({
  start: new Date(Number(r.start)),
  success: Number(r.success),
  fail: Number(r.fail),
});
