import { conflict } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Message } from '../../core/model.js';
import type { MessageRepo } from '../store.js';
import type { Db } from './db.js';
import { GATED } from './gated.js';
import { messageConditions, messageViews } from './message-views.js';
import type { DueNotifier } from './notify.js';
import { keyset, Params } from './paging.js';
import { type MessageRow, toMessage } from './rows.js';

/**
 * Accepting a message is one statement, hence one round trip and one
 * implicit transaction: the message, one delivery per enabled endpoint that
 * routing accepts (the rules of core/filter.ts endpointAccepts, in SQL); then
 * a coalesced NOTIFY (notify.ts) when any delivery was created. A gated
 * endpoint's deliveries are stored parked (006_parked_deliveries.sql), its row
 * read FOR SHARE so that a concurrent change of its gating waits for this. Delivery ids come from $10, ids
 * made here for the usual one or two endpoints, then from hookline_new_id
 * (003_new_id_format.sql, the same format as core/ids.ts, but ~16 us of database CPU
 * each against about a microsecond here).
 */
const PREMADE_DELIVERY_IDS = 2;
const CREATE_MESSAGE = `
WITH m AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
), d AS (
  INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
    created_at, updated_at, parked)
  SELECT coalesce(($10::text[])[e.n], hookline_new_id('dlv', $9)), $2, $1, e.id, 'pending', 0, $8, $8,
    'scheduled', $8, $8, e.parked
  FROM (
    SELECT e.id, e.parked, row_number() OVER () AS n FROM (
      SELECT e.id, (${GATED}) AS parked FROM endpoints e
      WHERE e.app_id = $2 AND NOT e.disabled
        AND (e.filter_types IS NULL OR cardinality(e.filter_types) = 0 OR $3 = ANY (e.filter_types))
        AND (e.channels IS NULL OR cardinality(e.channels) = 0 OR e.channels && coalesce($6::text[], '{}'))
      FOR SHARE
    ) e
  ) e
  RETURNING 1
)
SELECT count(*)::int AS n FROM d`;

export function postgresMessages(db: Db, notifier: DueNotifier): MessageRepo {
  return {
    async create(input) {
      const now = new Date();
      const message: Message = { id: newId('msg', now.getTime()), ...input, createdAt: now };
      try {
        const rows = await db.query<{ n: number }>(
          CREATE_MESSAGE,
          [
            message.id,
            input.appId,
            input.eventType,
            input.eventId,
            input.payload,
            input.channels,
            input.tags,
            now,
            now.getTime(),
            Array.from({ length: PREMADE_DELIVERY_IDS }, () => newId('dlv', now.getTime())),
          ],
          { name: 'message_create', what: 'application' },
        );
        const deliveries = rows[0]?.n ?? 0;
        if (deliveries > 0) notifier.poke();
        return { message, deliveries };
      } catch (err) {
        // The only unique key a new message can hit is (app_id, event_id).
        if ((err as { code?: string }).code === 'CONFLICT') {
          throw conflict(`a message with eventId ${input.eventId} already exists`);
        }
        throw err;
      }
    },
    async get(appId, id) {
      const rows = await db.query<MessageRow>(
        'SELECT * FROM messages WHERE app_id = $1 AND id = $2',
        [appId, id],
        {
          name: 'message_get',
        },
      );
      return rows[0] ? toMessage(rows[0]) : null;
    },
    async list(appId, filter, page) {
      const p = new Params();
      const app = p.add(appId);
      const conditions = messageConditions(filter, p);
      const k = keyset('m.id', 'desc', page, p);
      const rows = await db.query<MessageRow>(
        `SELECT m.* FROM messages m WHERE m.app_id = ${app} AND ${conditions} AND ${k.where}
         ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
        p.values,
      );
      const result = k.finish(rows);
      return { items: result.items.map(toMessage), done: result.done };
    },
    ...messageViews(db),
    async prune(cutoff, batch) {
      // One bounded batch per call keeps each transaction (and its row locks)
      // short; SKIP LOCKED steps around rows another pruner holds. Deliveries
      // and attempts go with their message (ON DELETE CASCADE), so a message
      // with a delivery still pending or sending (accepted work not yet done,
      // parked ones included) is kept whatever its age. The check is one probe
      // of UNIQUE (msg_id, endpoint_id) per candidate from the messages_created
      // range scan; kept rows are filtered out, not counted, so every full
      // batch makes progress. `= ANY (ARRAY(...))` rather than `IN (...)`: with
      // IN the planner hash-joins the batch against a sequential scan of all
      // messages; the array makes the delete a primary-key index scan.
      const rows = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM messages WHERE id = ANY (ARRAY(
             SELECT m.id FROM messages m
             WHERE m.created_at < $1
               AND NOT EXISTS (
                 SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.status IN ('pending', 'sending'))
             ORDER BY m.created_at LIMIT $2 FOR UPDATE OF m SKIP LOCKED))
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [cutoff, batch],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
