import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Message } from '../../core/model.js';
import {
  EXPUNGED_PAYLOAD,
  EXPUNGED_RESPONSE,
  type AttemptRepo,
  type DeliveryQueue,
  type MessageRepo,
} from '../store.js';
import type { Db } from './db.js';
import { GATED } from './gated.js';
import type { DueNotifier } from './notify.js';

/**
 * Expunges the messages `pick` selects ($1 app, $2 now, $3 payload marker,
 * $4 response marker, then pick's own): see MessageRepo.expungeContent. One
 * statement, so one transaction.
 */
const expunge = (pick: string) => `
WITH pick AS (${pick}),
m AS (
  UPDATE messages SET payload = $3, expunged_at = coalesce(expunged_at, $2)
  WHERE app_id = $1 AND id IN (SELECT id FROM pick) RETURNING id
),
a AS (UPDATE attempts SET response = $4 WHERE msg_id IN (SELECT id FROM m) AND response <> $4),
d AS (
  UPDATE deliveries SET status = 'canceled', due_at = NULL, next_attempt_at = NULL, updated_at = $2
  WHERE msg_id IN (SELECT id FROM m) AND status = 'pending'
)
SELECT count(*)::int AS n, max(id) AS last FROM m`;
const EXPUNGE_ONE = expunge('SELECT $5::text AS id');
const EXPUNGE_BATCH = expunge('SELECT id FROM messages WHERE app_id = $1 AND id > $5 ORDER BY id LIMIT $6');

/** See sqlite/content.ts REPLAY_MISSING; the endpoint row read FOR SHARE, as messages.ts does. */
const REPLAY_MISSING = `
WITH e AS (
  SELECT e.id, e.app_id, e.disabled, e.filter_types, e.channels, (${GATED}) AS parked
  FROM endpoints e WHERE e.app_id = $1 AND e.id = $2 FOR SHARE
),
ins AS (
  INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
    created_at, updated_at, parked)
  SELECT hookline_new_id('dlv', (extract(epoch FROM $5::timestamptz) * 1000)::bigint), m.app_id, m.id, e.id,
    'pending', 0, $5, CASE WHEN e.disabled THEN NULL ELSE $5::timestamptz END, 'manual', $5, $5, e.parked
  FROM messages m JOIN e ON e.app_id = m.app_id
  WHERE m.app_id = $1 AND m.created_at >= $3 AND ($4::timestamptz IS NULL OR m.created_at < $4)
    AND m.expunged_at IS NULL
    AND (e.filter_types IS NULL OR cardinality(e.filter_types) = 0 OR m.event_type = ANY (e.filter_types))
    AND (e.channels IS NULL OR cardinality(e.channels) = 0 OR e.channels && coalesce(m.channels, '{}'))
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.endpoint_id = e.id)
  ON CONFLICT (msg_id, endpoint_id) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int AS n FROM ins`;

const CREATE_FOR = `
WITH m AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
),
e AS (
  SELECT e.id, (${GATED}) AS parked FROM endpoints e
  WHERE e.app_id = $2 AND e.id = $9 AND NOT e.disabled FOR SHARE
),
d AS (
  INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
    created_at, updated_at, parked)
  SELECT $10, $2, m.id, e.id, 'pending', 0, $8, $8, 'scheduled', $8, $8, e.parked FROM m, e
  RETURNING 1
)
SELECT count(*)::int AS n FROM d`;

/** Expunging content, replay-missing and send-example's message to one endpoint, on PostgreSQL. */
export function postgresContent(db: Db, notifier: DueNotifier) {
  const messages: Pick<MessageRepo, 'expungeContent' | 'expungeBatch' | 'createFor'> = {
    async expungeContent(appId, msgId) {
      const rows = await db.query<{ n: number }>(EXPUNGE_ONE, [
        appId,
        new Date(),
        EXPUNGED_PAYLOAD,
        EXPUNGED_RESPONSE,
        msgId,
      ]);
      if ((rows[0]?.n ?? 0) === 0) throw notFound('message');
    },
    async expungeBatch(appId, after, limit) {
      const rows = await db.query<{ n: number; last: string | null }>(EXPUNGE_BATCH, [
        appId,
        new Date(),
        EXPUNGED_PAYLOAD,
        EXPUNGED_RESPONSE,
        after ?? '',
        limit,
      ]);
      return { last: rows[0]?.last ?? null, expunged: rows[0]?.n ?? 0 };
    },
    async createFor(input, endpointId) {
      const now = new Date();
      const message: Message = {
        id: newId('msg', now.getTime()),
        ...input,
        createdAt: now,
        expungedAt: null,
      };
      const rows = await db.query<{ n: number }>(
        CREATE_FOR,
        [
          message.id,
          message.appId,
          message.eventType,
          message.eventId,
          message.payload,
          message.channels,
          message.tags,
          now,
          endpointId,
          newId('dlv', now.getTime()),
        ],
        { what: 'application' },
      );
      const deliveries = rows[0]?.n ?? 0;
      if (deliveries > 0) notifier.poke();
      return { message, deliveries };
    },
  };
  const attempts: Pick<AttemptRepo, 'expungeContent'> = {
    async expungeContent(appId, msgId, attemptId) {
      const rows = await db.query(
        'UPDATE attempts SET response = $4 WHERE app_id = $1 AND msg_id = $2 AND id = $3 RETURNING 1',
        [appId, msgId, attemptId, EXPUNGED_RESPONSE],
      );
      if (rows.length === 0) throw notFound('attempt');
    },
  };
  const queue: Pick<DeliveryQueue, 'replayMissing'> = {
    async replayMissing(appId, endpointId, since, until) {
      const rows = await db.query<{ n: number }>(REPLAY_MISSING, [
        appId,
        endpointId,
        since,
        until,
        new Date(),
      ]);
      const n = rows[0]?.n ?? 0;
      if (n > 0) notifier.poke();
      return n;
    },
  };
  return { messages, attempts, queue };
}
