import {
  type EndpointPolicy,
  type Health,
  type HealthNews,
  planHealth,
  type Recorded,
} from '../../core/policy.js';
import { type HealthRow, toHealth } from '../rows.js';
import { emitHealth, type Q } from './operational.js';

/**
 * Endpoint health after a batch with failures (core/policy.ts), inside the
 * recording transaction. The state rows of every endpoint in the batch are
 * locked first, in id order (the success-only path in queue.ts locks in the
 * same order), so concurrent workers apply their results one after another.
 */
const LOCK_HEALTH = `
SELECT s.endpoint_id, s.consecutive_failures, s.failing_since, s.breaker_opens, s.breaker_retry_at,
  e.breaker_open, e.disabled
FROM endpoint_state s JOIN endpoints e ON e.id = s.endpoint_id
WHERE s.endpoint_id = ANY ($1::text[])
ORDER BY s.endpoint_id
FOR UPDATE OF s`;

/**
 * Writes the new health; opens or closes breakers; disables endpoints (410,
 * auto-disable). Triggers (007_one_queue_model) park or unpark the endpoint's
 * deliveries with its breaker, and take a disabled endpoint's pending ones out
 * of the queue, as a user's disable does.
 */
const WRITE_HEALTH = `
WITH c AS (
  SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::int[], $5::timestamptz[], $6::bool[],
    $7::text[]) AS c(id, fails, since, opens, retry_at, open, disable)
), st AS (
  UPDATE endpoint_state s SET consecutive_failures = c.fails, failing_since = c.since, breaker_opens = c.opens,
    breaker_retry_at = c.retry_at
  FROM c WHERE s.endpoint_id = c.id
)
UPDATE endpoints e SET breaker_open = c.open,
  disabled = e.disabled OR c.disable IS NOT NULL,
  disabled_reason = CASE WHEN c.disable IS NOT NULL AND NOT e.disabled THEN c.disable ELSE e.disabled_reason END,
  updated_at = CASE WHEN c.disable IS NOT NULL AND NOT e.disabled THEN $8 ELSE e.updated_at END
FROM c WHERE e.id = c.id AND (e.breaker_open <> c.open OR (c.disable IS NOT NULL AND NOT e.disabled))`;

/** Locks the batch's failing endpoints' state; call before recording so lock order is fixed. */
export async function lockHealth(q: Q, endpointIds: readonly string[]) {
  const rows = await q<HealthRow & { endpoint_id: string }>(LOCK_HEALTH, [endpointIds]);
  return new Map<string, Health & { disabled: boolean }>(rows.map((r) => [r.endpoint_id, toHealth(r)]));
}

/** Applies the batch; returns how many operational deliveries were queued. */
export async function applyHealth(
  q: Q,
  recorded: readonly Recorded[],
  current: Map<string, Health & { disabled: boolean }>,
  policy: EndpointPolicy,
  now: Date,
): Promise<{ queued: number; news: HealthNews }> {
  const plan = planHealth(recorded, current, policy, now.getTime());
  const changes = [...plan.changes];
  if (changes.length > 0) {
    const date = (ms: number | null) => (ms === null ? null : new Date(ms));
    await q(WRITE_HEALTH, [
      changes.map(([id]) => id),
      changes.map(([, c]) => c.next.consecutiveFailures),
      changes.map(([, c]) => date(c.next.failingSince)),
      changes.map(([, c]) => c.next.breakerOpens),
      changes.map(([, c]) => date(c.next.breakerRetryAt)),
      changes.map(([, c]) => c.next.breakerOpen),
      changes.map(([, c]) => c.disable),
      now,
    ]);
  }
  return { queued: await emitHealth(q, plan, now), news: plan.news };
}
