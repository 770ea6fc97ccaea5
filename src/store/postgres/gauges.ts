import type { StoreGauges } from '../store.js';
import type { Db } from './db.js';

/**
 * The queue as /metrics shows it, in one statement. Each count walks a partial
 * index (deliveries_due, deliveries_open, deliveries_sending, deliveries_failed)
 * or the deliveries of disabled endpoints, never the whole table: a scrape
 * every few seconds costs in proportion to the backlog, not to the history kept.
 */
const GAUGES = `
SELECT
  (SELECT count(*) FROM deliveries
   WHERE due_at IS NOT NULL AND NOT parked AND status = 'pending' AND due_at <= $1)::int AS due,
  (SELECT count(*) FROM deliveries
   WHERE due_at IS NOT NULL AND NOT parked AND status = 'pending' AND due_at > $1)::int AS scheduled,
  ((SELECT count(*) FROM deliveries WHERE due_at IS NOT NULL AND NOT parked AND status = 'sending')
    + (SELECT count(*) FROM deliveries WHERE status = 'sending' AND parked))::int AS in_flight,
  ((SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND parked AND status = 'pending')
    + (SELECT count(*) FROM deliveries d
       WHERE d.endpoint_id IN (SELECT e.id FROM endpoints e WHERE e.disabled)
         AND d.status = 'pending' AND NOT d.parked))::int AS parked,
  (SELECT count(*) FROM deliveries WHERE status = 'fail')::int AS failed,
  (SELECT due_at FROM deliveries
   WHERE due_at IS NOT NULL AND NOT parked AND status = 'pending' AND due_at <= $1
   ORDER BY due_at LIMIT 1) AS oldest_due_at,
  (SELECT count(*) FROM endpoints WHERE breaker_open)::int AS breaker_open,
  (SELECT count(*) FROM endpoints WHERE disabled)::int AS disabled`;

interface GaugeRow {
  due: number;
  scheduled: number;
  in_flight: number;
  parked: number;
  failed: number;
  oldest_due_at: Date | null;
  breaker_open: number;
  disabled: number;
}

export function postgresGauges(db: Db): (now: Date) => Promise<StoreGauges> {
  return async (now) => {
    const [r] = await db.query<GaugeRow>(GAUGES, [now], { name: 'store_gauges' });
    if (!r) throw new Error('gauges query returned no row');
    return {
      depth: {
        due: r.due,
        scheduled: r.scheduled,
        inFlight: r.in_flight,
        parked: r.parked,
        failed: r.failed,
      },
      oldestDueAt: r.oldest_due_at,
      endpointsBreakerOpen: r.breaker_open,
      endpointsDisabled: r.disabled,
      pool: { total: db.pool.totalCount, idle: db.pool.idleCount, waiting: db.pool.waitingCount },
    };
  };
}
