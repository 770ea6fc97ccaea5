import { eventIdConflict } from '../../core/messages.js';
import { idRun, idRunSql } from '../../core/ids.js';
import {
  type BatchResult,
  type MessageRepo,
  type StoredMessage,
  storedMessages,
  withoutTrace,
} from '../store.js';
import type { Db } from './db.js';
import { rolledBack } from './errors.js';
import { GATED } from './gated.js';
import { groupWrite } from './group-write.js';
import { postgresDialect } from '../dialect.js';
import { type FieldCipher, type MessageRow, toMessage } from '../rows.js';
import { messageViews } from './message-views.js';
import type { DueNotifier } from './notify.js';
import { listMessages } from '../lists.js';

/**
 * Accepting messages is one statement, hence one round trip and one implicit
 * transaction, for one message or for the many that group-write.ts gathers:
 * each message, and one delivery per enabled endpoint that routing accepts
 * (the rules of core/filter.ts endpointAccepts, in SQL); then a coalesced
 * NOTIFY (notify.ts) when any delivery was created. One row of parallel arrays
 * per message; channels and tags travel as JSON text, since PostgreSQL arrays
 * of arrays must be rectangular. Delivery counts come back in input order.
 *
 * A gated endpoint's deliveries are stored parked (007_one_queue_model),
 * its row read FOR SHARE so that a concurrent change of its gating waits for
 * this. Delivery ids: a run per message (core/ids.ts idRun), numbered in SQL;
 * hookline_new_id (a PL/pgSQL loop, ~16 us of database CPU per id) made a third
 * of the accept time of a message to 10,000 endpoints.
 *
 * `skipConflicts` (a batch): a message whose eventId is taken is left out
 * instead of failing the statement, and gets no deliveries; `stored` says
 * which were. Without it a conflict fails the whole statement (group-write.ts
 * then writes each message alone, to tell whose it was).
 */
const createMessages = (skipConflicts: boolean) => `
WITH input AS (
  SELECT i.ord, i.id, i.app_id, i.event_type, i.event_id, i.payload, i.created_at, i.traceparent, i.id_head,
    i.id_base,
    CASE WHEN i.channels IS NULL THEN NULL
      ELSE ARRAY(SELECT c FROM json_array_elements_text(i.channels::json) WITH ORDINALITY AS x(c, n) ORDER BY n)
    END AS channels,
    CASE WHEN i.tags IS NULL THEN NULL
      ELSE ARRAY(SELECT t FROM json_array_elements_text(i.tags::json) WITH ORDINALITY AS x(t, n) ORDER BY n)
    END AS tags
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::timestamptz[], $9::text[], $10::bigint[], $11::text[]) WITH ORDINALITY
    AS i(id, app_id, event_type, event_id, payload, channels, tags, created_at, id_head, id_base, traceparent, ord)
), m AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at, traceparent)
  SELECT id, app_id, event_type, event_id, payload, channels, tags, created_at, traceparent FROM input
  ${skipConflicts ? 'ON CONFLICT DO NOTHING' : ''}
  RETURNING id
), d AS (
  INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
    created_at, updated_at, parked)
  SELECT ${idRunSql('x.id_head', 'x.id_base', 'x.n')},
    x.app_id, x.id, x.endpoint_id, 'pending', 0, x.created_at, x.created_at, 'scheduled', x.created_at,
    x.created_at, x.parked
  FROM (
    SELECT i.ord, i.id, i.app_id, i.id_head, i.id_base, i.created_at, e.id AS endpoint_id, e.parked,
      row_number() OVER (PARTITION BY i.ord) AS n
    FROM input i JOIN m ON m.id = i.id
    CROSS JOIN LATERAL (
      SELECT e.id, (${GATED}) AS parked FROM endpoints e
      WHERE e.app_id = i.app_id AND NOT e.disabled
        AND (e.filter_types IS NULL OR cardinality(e.filter_types) = 0 OR i.event_type = ANY (e.filter_types))
        AND (e.channels IS NULL OR cardinality(e.channels) = 0 OR e.channels && coalesce(i.channels, '{}'))
      FOR SHARE
    ) e
  ) x
  RETURNING msg_id
)
SELECT count(d.msg_id)::int AS n, bool_or(m.id IS NOT NULL) AS stored
FROM input i LEFT JOIN m ON m.id = i.id LEFT JOIN d ON d.msg_id = i.id
GROUP BY i.ord ORDER BY i.ord`;
const CREATE_MESSAGES = createMessages(false);
const CREATE_BATCH = createMessages(true);

/** Concurrent accepts share statements (group-write.ts): a few batches in flight, each bounded. */
const ACCEPT_BATCHES_IN_FLIGHT = 4;
const MAX_MESSAGES_PER_STATEMENT = 200;
const MAX_PAYLOAD_CHARS_PER_STATEMENT = 4 * 1024 * 1024;

const jsonOrNull = (v: string[] | null) => (v === null ? null : JSON.stringify(v));

/** The statement's parameters for these messages: one array per column. */
const createParams = (messages: StoredMessage[]) => {
  const runs = messages.map((m) => idRun('dlv', m.createdAt.getTime()));
  return [
    messages.map((m) => m.id),
    messages.map((m) => m.appId),
    messages.map((m) => m.eventType),
    messages.map((m) => m.eventId),
    messages.map((m) => m.payload),
    messages.map((m) => jsonOrNull(m.channels)),
    messages.map((m) => jsonOrNull(m.tags)),
    messages.map((m) => m.createdAt),
    runs.map((r) => r.head),
    runs.map((r) => r.base),
    messages.map((m) => m.traceparent),
  ];
};

/** Consecutive runs of at most MAX_MESSAGES_PER_STATEMENT messages and MAX_PAYLOAD_CHARS_PER_STATEMENT chars. */
function statementChunks(messages: StoredMessage[]): StoredMessage[][] {
  const chunks: StoredMessage[][] = [];
  let chunk: StoredMessage[] = [];
  let chars = 0;
  for (const m of messages) {
    if (
      chunk.length > 0 &&
      (chunk.length >= MAX_MESSAGES_PER_STATEMENT ||
        chars + m.payload.length > MAX_PAYLOAD_CHARS_PER_STATEMENT)
    ) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(m);
    chars += m.payload.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export function postgresMessages(
  db: Db,
  notifier: DueNotifier,
  cipher: FieldCipher = null,
): Omit<MessageRepo, 'createFor' | 'expungeContent' | 'expungeBatch'> {
  const createMany = async (messages: StoredMessage[]): Promise<number[]> => {
    const rows = await db.query<{ n: number }>(CREATE_MESSAGES, createParams(messages), {
      name: 'message_create',
      what: 'application',
    });
    return rows.map((r) => r.n);
  };
  /** A batch in one transaction, a statement per chunk. */
  const createBatch = async (messages: StoredMessage[]): Promise<BatchResult[]> => {
    const rows = await db.tx(async (q) => {
      const all: { n: number; stored: boolean }[] = [];
      for (const chunk of statementChunks(messages))
        all.push(...(await q<{ n: number; stored: boolean }>(CREATE_BATCH, createParams(chunk))));
      return all;
    }, 'application');
    return messages.map((message, i) =>
      rows[i]!.stored
        ? { message: withoutTrace(message), deliveries: rows[i]!.n }
        : { conflict: eventIdConflict(message) },
    );
  };
  const createOne = async (message: StoredMessage): Promise<number> => {
    try {
      const [n] = await createMany([message]);
      return n ?? 0;
    } catch (err) {
      // The only unique key a new message can hit is (app_id, event_id).
      if ((err as { code?: string }).code === 'CONFLICT') throw eventIdConflict(message);
      throw err;
    }
  };
  const accept = groupWrite<StoredMessage, number>({
    writeOne: createOne,
    writeMany: createMany,
    parallel: ACCEPT_BATCHES_IN_FLIGHT,
    maxItems: MAX_MESSAGES_PER_STATEMENT,
    maxSize: MAX_PAYLOAD_CHARS_PER_STATEMENT,
    sizeOf: (m) => m.payload.length,
    refused: rolledBack,
    keyOf: (m) => m.appId, // one application's flood does not queue ahead of another's message
  });

  return {
    async create(input) {
      const [message] = storedMessages([input]) as [StoredMessage];
      const deliveries = await accept(message);
      if (deliveries > 0) notifier.poke();
      return { message: withoutTrace(message), deliveries, waiting: deliveries };
    },
    async createBatch(inputs) {
      const results = await createBatch(storedMessages(inputs));
      if (results.some((r) => 'deliveries' in r && r.deliveries > 0)) notifier.poke();
      return results;
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
    list: (appId, filter, page) => db.page(listMessages(postgresDialect, appId, filter, page), toMessage),
    ...messageViews(db, cipher),
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
