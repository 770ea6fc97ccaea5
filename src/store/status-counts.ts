import type { DeliveryStatus } from '../core/model.js';

/** Endpoint stats from `GROUP BY status` rows: every status present, zero when it had no row. */
export function statusCounts(
  rows: { status: DeliveryStatus | null; n: number }[],
): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { success: 0, pending: 0, fail: 0, sending: 0, canceled: 0 };
  for (const r of rows) if (r.status !== null) counts[r.status] = r.n;
  return counts;
}
