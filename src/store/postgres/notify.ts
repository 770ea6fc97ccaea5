import type { Db } from './db.js';

/**
 * "Work became due" travels on one channel with the schema as payload, so
 * several Hookline deployments (or test files) sharing a database only wake
 * their own workers.
 */
export const DUE_CHANNEL = 'hookline_due';

/**
 * NOTIFY is sent after the writing transaction committed, in its own
 * statement, and coalesced: at most one in flight per process, and pokes
 * arriving meanwhile cost one more, not one each. Why not inside the
 * accepting transaction: PostgreSQL serialises the commits of notifying
 * transactions on a database-wide lock held across the WAL flush, which
 * measured here capped accepts at ~490/s (one fsync each) against ~2,400/s
 * and more with group commit. A lost wake-up (crash between commit and
 * notify) costs only a poll interval, never a delivery.
 */
const NOTIFY_DUE = `SELECT pg_notify('${DUE_CHANNEL}', current_schema())`;

export interface DueNotifier {
  /** Work was committed: wake the workers (soon, once, best effort). */
  poke(): void;
}

export function createDueNotifier(db: Db): DueNotifier {
  let sending = false;
  let again = false;
  const send = (): void => {
    sending = true;
    again = false;
    db.query(NOTIFY_DUE, [], { name: 'notify_due' })
      .catch(() => {}) // workers poll as a fallback; connection loss is reported by the next real query
      .finally(() => {
        sending = false;
        if (again) send();
      });
  };
  return {
    poke() {
      if (sending) again = true;
      else send();
    },
  };
}
