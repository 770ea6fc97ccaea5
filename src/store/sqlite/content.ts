import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Message } from '../../core/model.js';
import { sqliteDialect } from '../dialect.js';
import {
  EXPUNGED_PAYLOAD,
  EXPUNGED_RESPONSE,
  type AttemptRepo,
  type DeliveryQueue,
  type MessageRepo,
} from '../store.js';
import { BOUND_LIMIT, type Db } from './db.js';
import { routesTo } from './messages.js';
import { GATED } from './gated.js';

/** A message's payload, its attempts' response bodies, its pending deliveries: see MessageRepo.expungeContent. */
const EXPUNGE_MESSAGE = `UPDATE messages SET payload = $payload, expunged_at = coalesce(expunged_at, $now)
WHERE app_id = $app AND id = $msg`;
const EXPUNGE_RESPONSES = `UPDATE attempts SET response = $response WHERE msg_id = $msg AND response <> $response`;
const CANCEL_PENDING = `UPDATE deliveries SET status = 'canceled', due_at = NULL, next_attempt_at = NULL, updated_at = $now
WHERE msg_id = $msg AND status = 'pending'`;

/**
 * Replay-missing (DeliveryQueue.replayMissing): the routing rules of
 * messages.ts routesTo, over a range of the app's messages, for one
 * endpoint, skipping messages that already have a delivery to it.
 */
const REPLAY_MISSING = `
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked)
SELECT hookline_new_id('dlv', $now), m.app_id, m.id, e.id, 'pending', 0, $now,
  CASE WHEN e.disabled = 1 THEN NULL ELSE $now END, 'manual', $now, $now, (${GATED})
FROM messages m JOIN endpoints e ON e.id = $endpoint AND e.app_id = m.app_id
WHERE m.app_id = $app AND m.created_at >= $since AND m.created_at < $until AND m.expunged_at IS NULL
  AND ${routesTo('m.event_type', "coalesce(m.channels, '[]')")}
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.endpoint_id = e.id)`;

const INSERT_ONE_DELIVERY = `
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked)
SELECT hookline_new_id('dlv', $now), e.app_id, $msg, e.id, 'pending', 0, $now, $now, 'scheduled', $now, $now,
  (${GATED})
FROM endpoints e WHERE e.app_id = $app AND e.id = $endpoint AND e.disabled = 0`;

/** Expunging content, replay-missing and send-example's message to one endpoint, on SQLite. */
export function sqliteContent(db: Db) {
  const expungeOne = (appId: string, msgId: string, now: number): boolean => {
    const { changes } = db
      .prepare(EXPUNGE_MESSAGE)
      .run({ payload: EXPUNGED_PAYLOAD, now, app: appId, msg: msgId });
    if (changes === 0) return false;
    db.prepare(EXPUNGE_RESPONSES).run({ response: EXPUNGED_RESPONSE, msg: msgId });
    db.prepare(CANCEL_PENDING).run({ now, msg: msgId });
    return true;
  };
  const expunge = db.transaction((appId: string, msgId: string) => {
    if (!expungeOne(appId, msgId, Date.now())) throw notFound('message');
  });
  const expungeBatch = db.transaction((appId: string, after: string, limit: number) => {
    const ids = db
      .prepare<[string, string, number], { id: string }>(
        `SELECT id FROM messages WHERE app_id = ? AND id > ? ORDER BY id ${BOUND_LIMIT}`,
      )
      .all(appId, after, limit)
      .map((r) => r.id);
    const now = Date.now();
    for (const id of ids) expungeOne(appId, id, now);
    return { last: ids.at(-1) ?? null, expunged: ids.length };
  });
  const createFor = db.transaction((msg: Message, endpointId: string) => {
    const now = msg.createdAt.getTime();
    db.prepare(
      `INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      msg.id,
      msg.appId,
      msg.eventType,
      msg.eventId,
      msg.payload,
      sqliteDialect.list(msg.channels),
      sqliteDialect.list(msg.tags),
      now,
    );
    return db.prepare(INSERT_ONE_DELIVERY).run({ now, msg: msg.id, app: msg.appId, endpoint: endpointId })
      .changes;
  });

  const messages: Pick<MessageRepo, 'expungeContent' | 'expungeBatch' | 'createFor'> = {
    expungeContent: async (appId, msgId) => expunge.immediate(appId, msgId),
    expungeBatch: async (appId, after, limit) => expungeBatch.immediate(appId, after ?? '', limit),
    async createFor(input, endpointId) {
      const now = new Date();
      const message: Message = {
        id: newId('msg', now.getTime()),
        ...input,
        createdAt: now,
        expungedAt: null,
      };
      return { message, deliveries: createFor.immediate(message, endpointId) };
    },
  };
  const attempts: Pick<AttemptRepo, 'expungeContent'> = {
    async expungeContent(appId, msgId, attemptId) {
      const { changes } = db
        .prepare('UPDATE attempts SET response = ? WHERE app_id = ? AND msg_id = ? AND id = ?')
        .run(EXPUNGED_RESPONSE, appId, msgId, attemptId);
      if (changes === 0) throw notFound('attempt');
    },
  };
  const queue: Pick<DeliveryQueue, 'replayMissing'> = {
    async replayMissing(appId, endpointId, since, until) {
      return db.prepare(REPLAY_MISSING).run({
        now: Date.now(),
        app: appId,
        endpoint: endpointId,
        since: since.getTime(),
        until: until?.getTime() ?? Number.MAX_SAFE_INTEGER,
      }).changes;
    },
  };
  return { messages, attempts, queue };
}
