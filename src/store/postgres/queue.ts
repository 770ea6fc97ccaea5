import { randomUUID } from 'node:crypto';
import { newId } from '../../core/ids.js';
import type { AttemptResult, ClaimedDelivery, DeliveryQueue } from '../store.js';
import type { Db } from './db.js';
import type { DueNotifier } from './notify.js';
import { queueManual } from './queue-manual.js';
import { parseSecrets, type StoredSecret, stripNul } from './rows.js';

/**
 * The hot path: one statement per claimed batch, one per recorded batch, one
 * per renewal round. Each is a single implicit transaction, so no
 * BEGIN/COMMIT round trips.
 *
 * Claim: the oldest due rows (pending and due, or sending with an expired
 * lease: both have due_at <= now) are locked with SKIP LOCKED, so concurrent
 * workers split the head of the queue instead of queueing behind each other,
 * leased (status sending, due_at = lease expiry, a fresh token) and returned
 * with the message and endpoint fields the worker needs.
 */
const CLAIM_DUE = `
WITH due AS (
  SELECT d.id, d.due_at FROM deliveries d
  WHERE d.due_at <= $1
    AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.disabled)
  ORDER BY d.due_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
), leased AS (
  UPDATE deliveries d SET status = 'sending', due_at = $3, lease_token = $4, updated_at = $1
  FROM due WHERE d.id = due.id
  RETURNING d.id, d.attempts, d.trigger, d.msg_id, d.endpoint_id, due.due_at AS was_due
)
SELECT l.id, l.attempts, l.trigger, m.id AS msg_id, m.app_id, m.event_type, m.payload,
  m.created_at AS msg_created_at, e.id AS endpoint_id, e.url, e.headers, e.secrets, e.rate_limit,
  e.max_in_flight, e.ordered
FROM leased l JOIN messages m ON m.id = l.msg_id JOIN endpoints e ON e.id = l.endpoint_id
ORDER BY l.was_due, l.msg_id`;

/**
 * Record: every attempt of the batch inserted and every delivery moved on in
 * one statement, the batch passed as one JSON array. A delivery only moves
 * when its lease token still matches (otherwise it belongs to a newer claim);
 * its attempt is stored either way. Endpoints to disable (410 Gone) are
 * disabled and their pending deliveries parked in the same statement.
 */
const RECORD_ATTEMPTS = `
WITH r AS (
  SELECT * FROM json_to_recordset($1::json) AS r(
    delivery_id text, lease_token text, id text, app_id text, msg_id text, endpoint_id text, url text,
    status text, code integer, response text, duration integer, error_class text, trigger text,
    created_at timestamptz, next_status text, next_at timestamptz, disable text)
), a AS (
  INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code,
    response, response_duration_ms, error_class, trigger, created_at)
  SELECT id, app_id, msg_id, endpoint_id, delivery_id, url, status, code, response, duration, error_class,
    trigger, created_at
  FROM r
  -- a message pruned while its delivery was in flight has nothing to attach the attempt to
  WHERE EXISTS (SELECT 1 FROM messages m WHERE m.id = r.msg_id)
), u AS (
  UPDATE deliveries d SET status = r.next_status, attempts = d.attempts + 1, next_attempt_at = r.next_at,
    due_at = r.next_at, lease_token = NULL, trigger = 'scheduled', updated_at = $2
  FROM r WHERE d.id = r.delivery_id AND d.lease_token = r.lease_token
), x AS (
  UPDATE endpoints e SET disabled = true, disabled_reason = r.disable, updated_at = $2
  FROM r WHERE e.id = r.endpoint_id AND r.disable IS NOT NULL
  RETURNING e.id
), parked AS (
  UPDATE deliveries d SET due_at = NULL
  FROM x WHERE d.endpoint_id = x.id AND d.status = 'pending' AND d.due_at IS NOT NULL
)
SELECT 1`;

const RENEW_LEASES = `
UPDATE deliveries d SET due_at = $3
FROM unnest($1::text[], $2::text[]) AS c(id, token)
WHERE d.id = c.id AND d.lease_token = c.token AND d.status = 'sending'
RETURNING d.id`;

interface ClaimRow {
  id: string;
  attempts: number;
  trigger: 'scheduled' | 'manual';
  msg_id: string;
  app_id: string;
  event_type: string;
  payload: string;
  msg_created_at: Date;
  endpoint_id: string;
  url: string;
  headers: Record<string, string>;
  secrets: StoredSecret[];
  rate_limit: number | null;
  max_in_flight: number | null;
  ordered: boolean;
}

const toClaim =
  (leaseToken: string) =>
  (r: ClaimRow): ClaimedDelivery => ({
    deliveryId: r.id,
    leaseToken,
    attempts: r.attempts,
    trigger: r.trigger,
    message: {
      id: r.msg_id,
      appId: r.app_id,
      eventType: r.event_type,
      payload: r.payload,
      createdAt: r.msg_created_at,
    },
    endpoint: {
      id: r.endpoint_id,
      url: r.url,
      headers: r.headers,
      secrets: parseSecrets(r.secrets),
      rateLimit: r.rate_limit,
      maxInFlight: r.max_in_flight,
      ordered: r.ordered,
    },
  });

function recordRow(r: AttemptResult) {
  const a = r.attempt;
  const o = r.outcome;
  return {
    delivery_id: r.deliveryId,
    lease_token: r.leaseToken,
    id: newId('atmpt', a.createdAt.getTime()),
    app_id: a.appId,
    msg_id: a.msgId,
    endpoint_id: a.endpointId,
    url: stripNul(a.url),
    status: a.status,
    code: a.responseStatusCode,
    response: stripNul(a.response),
    duration: a.responseDurationMs,
    error_class: a.errorClass,
    trigger: a.trigger,
    created_at: a.createdAt.toISOString(),
    next_status: o.kind === 'success' ? 'success' : o.kind === 'retry' ? 'pending' : 'fail',
    next_at: o.kind === 'retry' ? o.at.toISOString() : null,
    disable: r.disableEndpoint ?? null,
  };
}

export function postgresQueue(db: Db, notifier: DueNotifier): DeliveryQueue {
  return {
    async claimDue({ limit, leaseMs, now = new Date() }) {
      if (limit <= 0) return [];
      const token = randomUUID();
      const rows = await db.query<ClaimRow>(
        CLAIM_DUE,
        [now, limit, new Date(now.getTime() + leaseMs), token],
        { name: 'queue_claim' },
      );
      return rows.map(toClaim(token));
    },
    async renewLeases(claims, leaseMs) {
      if (claims.length === 0) return [];
      const rows = await db.query<{ id: string }>(
        RENEW_LEASES,
        [claims.map((c) => c.deliveryId), claims.map((c) => c.leaseToken), new Date(Date.now() + leaseMs)],
        { name: 'queue_renew' },
      );
      const kept = new Set(rows.map((r) => r.id));
      return claims.filter((c) => !kept.has(c.deliveryId)).map((c) => c.deliveryId);
    },
    async recordAttempts(results) {
      if (results.length === 0) return;
      await db.query(RECORD_ATTEMPTS, [JSON.stringify(results.map(recordRow)), new Date()], {
        name: 'queue_record',
      });
    },
    ...queueManual(db, notifier),
  };
}
