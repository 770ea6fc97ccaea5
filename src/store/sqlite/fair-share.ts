import type { DeliveryQueue } from '../store.js';
import { BOUND_LIMIT, type Db } from './db.js';

/**
 * Sets or moves an endpoint's fair-share cap (012_fair_share). An endpoint the
 * operator capped (max_in_flight) or ordered keeps its own rule. The
 * endpoints_parking trigger parks its open deliveries when the cap appears.
 */
const CAP = `
UPDATE endpoints SET fair_cap = ?
WHERE id = ? AND max_in_flight IS NULL AND ordered = 0 AND fair_cap IS NOT ?`;
/**
 * A lease handed back unsent, due as it was before the claim (next_attempt_at),
 * so it keeps its place among the endpoint's deliveries; waiting instead if
 * its endpoint was disabled meanwhile.
 */
const RELEASE = `
UPDATE deliveries SET status = 'pending', lease_token = NULL, updated_at = ?,
  due_at = CASE WHEN (SELECT e.disabled FROM endpoints e WHERE e.id = deliveries.endpoint_id) = 1
    THEN NULL ELSE next_attempt_at END
WHERE id = ? AND lease_token = ? AND status = 'sending'`;
/**
 * A cap is cleared once it holds nothing back: the endpoint's open deliveries
 * (pending or sending; all parked while it is gated, so deliveries_open
 * answers) fit within it, counted only up to the cap. SQLite takes no LIMIT
 * from the outer row, so the capped endpoints are read first and counted one
 * by one, in one transaction.
 */
const CAPPED = 'SELECT id, fair_cap AS cap FROM endpoints WHERE fair_cap IS NOT NULL';
const OPEN_UP_TO = `
SELECT count(*) AS n FROM (
  SELECT 1 FROM deliveries d
  WHERE d.endpoint_id = ? AND d.parked = 1 AND d.status IN ('pending', 'sending') ${BOUND_LIMIT})`;
const UNCAP = 'UPDATE endpoints SET fair_cap = NULL WHERE id = ?';

export function sqliteFairShare(db: Db): Pick<DeliveryQueue, 'shareSlots' | 'unshare'> {
  const cap = db.prepare(CAP);
  const release = db.prepare(RELEASE);
  const capped = db.prepare<[], { id: string; cap: number }>(CAPPED);
  const openUpTo = db.prepare<[string, number], { n: number }>(OPEN_UP_TO);
  const uncap = db.prepare<[string]>(UNCAP);
  const unshare = db.transaction((unusedOnly: boolean) => {
    let cleared = 0;
    for (const e of capped.all()) {
      if (unusedOnly && openUpTo.get(e.id, e.cap)!.n >= e.cap) continue;
      cleared += uncap.run(e.id).changes;
    }
    return cleared;
  });
  const share = db.transaction((caps: Parameters<DeliveryQueue['shareSlots']>[0], leases) => {
    const now = Date.now();
    for (const c of caps) cap.run(c.cap, c.endpointId, c.cap);
    for (const l of leases as Parameters<DeliveryQueue['shareSlots']>[1])
      release.run(now, l.deliveryId, l.leaseToken);
  });
  return {
    async shareSlots(caps, leases) {
      if (caps.length > 0 || leases.length > 0) share.immediate(caps, leases);
    },
    async unshare({ unusedOnly }) {
      return unshare.immediate(unusedOnly);
    },
  };
}
