import type { DeliveryQueue } from '../store.js';
import type { Db } from './db.js';
import type { DueNotifier } from './notify.js';

/**
 * Sets or moves endpoints' fair-share caps (012_fair_share). An endpoint the
 * operator capped (max_in_flight) or ordered keeps its own rule. The
 * endpoints_parking trigger parks their open deliveries when a cap appears.
 */
const CAP = `
UPDATE endpoints e SET fair_cap = c.cap
FROM unnest($1::text[], $2::int[]) AS c(id, cap)
WHERE e.id = c.id AND e.max_in_flight IS NULL AND NOT e.ordered AND e.fair_cap IS DISTINCT FROM c.cap`;
/**
 * Leases handed back unsent, due as they were before the claim
 * (next_attempt_at), so they keep their place among the endpoint's
 * deliveries; waiting instead if the endpoint was disabled meanwhile.
 */
const RELEASE = `
UPDATE deliveries d SET status = 'pending', lease_token = NULL, updated_at = $3,
  due_at = CASE WHEN (SELECT e.disabled FROM endpoints e WHERE e.id = d.endpoint_id) THEN NULL ELSE d.next_attempt_at END
FROM unnest($1::text[], $2::text[]) AS l(id, token)
WHERE d.id = l.id AND d.lease_token = l.token AND d.status = 'sending'`;
/**
 * A cap is cleared once it holds nothing back: the endpoint's open deliveries
 * (pending or sending; all parked while it is gated, so deliveries_open
 * answers) fit within it, counted only up to the cap. A fast endpoint with
 * steady traffic thus goes back to the plain claim, one statement, instead of
 * staying on the gated claim's several; if it floods again, the worker caps
 * it again (fair-share.ts).
 */
const UNSHARE = `
UPDATE endpoints e SET fair_cap = NULL
WHERE e.fair_cap IS NOT NULL AND (NOT $1 OR (
  SELECT count(*) FROM (
    SELECT 1 FROM deliveries d
    WHERE d.endpoint_id = e.id AND d.parked AND d.status IN ('pending', 'sending')
    LIMIT e.fair_cap) o) < e.fair_cap)
RETURNING e.id`;

/** `capped` tells this process's gated claim that an endpoint became gated (gated.ts recheck). */
export function postgresFairShare(
  db: Db,
  notifier: DueNotifier,
  capped: () => void,
): Pick<DeliveryQueue, 'shareSlots' | 'unshare'> {
  return {
    async shareSlots(caps, leases) {
      if (caps.length === 0 && leases.length === 0) return;
      // Capping first: the trigger parks the endpoint's open deliveries, the ones released here included.
      await db.tx(async (q) => {
        if (caps.length > 0) await q(CAP, [caps.map((c) => c.endpointId), caps.map((c) => c.cap)]);
        if (leases.length > 0)
          await q(RELEASE, [leases.map((l) => l.deliveryId), leases.map((l) => l.leaseToken), new Date()]);
      });
      if (caps.length > 0) capped();
      if (leases.length > 0) notifier.poke();
    },
    async unshare({ unusedOnly }) {
      return (await db.query(UNSHARE, [unusedOnly])).length;
    },
  };
}
