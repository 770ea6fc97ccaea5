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
   WHERE due_at IS NOT NULL AND parked = 0 AND status = 'pending' AND due_at <= :now) AS due,
  (SELECT count(*) FROM deliveries
   WHERE due_at IS NOT NULL AND parked = 0 AND status = 'pending' AND due_at > :now) AS scheduled,
  (SELECT count(*) FROM deliveries WHERE due_at IS NOT NULL AND parked = 0 AND status = 'sending')
    + (SELECT count(*) FROM deliveries WHERE status = 'sending' AND parked = 1) AS in_flight,
  (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND parked = 1 AND status = 'pending')
    + (SELECT count(*) FROM deliveries d
       WHERE d.endpoint_id IN (SELECT e.id FROM endpoints e WHERE e.disabled = 1)
         AND d.status = 'pending' AND d.parked = 0) AS parked,
  (SELECT count(*) FROM deliveries WHERE status = 'fail') AS failed,
  (SELECT due_at FROM deliveries
   WHERE due_at IS NOT NULL AND parked = 0 AND status = 'pending' AND due_at <= :now
   ORDER BY due_at LIMIT 1) AS oldest_due_at,
  (SELECT count(*) FROM endpoints WHERE breaker_open = 1) AS breaker_open,
  (SELECT count(*) FROM endpoints WHERE disabled = 1) AS disabled`;

interface GaugeRow {
  due: number;
  scheduled: number;
  in_flight: number;
  parked: number;
  failed: number;
  oldest_due_at: number | null;
  breaker_open: number;
  disabled: number;
}

export function sqliteGauges(db: Db): (now: Date) => Promise<StoreGauges> {
  const read = db.prepare<[{ now: number }], GaugeRow>(GAUGES);
  return async (now) => {
    const r = read.get({ now: now.getTime() }) as GaugeRow;
    return {
      depth: {
        due: r.due,
        scheduled: r.scheduled,
        inFlight: r.in_flight,
        parked: r.parked,
        failed: r.failed,
      },
      oldestDueAt: r.oldest_due_at === null ? null : new Date(r.oldest_due_at),
      endpointsBreakerOpen: r.breaker_open,
      endpointsDisabled: r.disabled,
      pool: null,
    };
  };
}
