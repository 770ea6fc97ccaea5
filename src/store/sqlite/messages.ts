import { conflict } from '../../core/errors.js';
import { endpointAccepts } from '../../core/filter.js';
import { newId } from '../../core/ids.js';
import type { Message } from '../../core/model.js';
import { sqliteDialect } from '../dialect.js';
import {
  type DeliveryRow,
  type EndpointRow,
  type MessageRow,
  toDelivery,
  toEndpoint,
  type FieldCipher,
  toMessage,
} from '../rows.js';
import type { MessageRepo } from '../store.js';
import { type Db, mapSqliteError, readPage } from './db.js';
import { GATED } from './gated.js';
import { groupCommit } from './group-commit.js';
import { listDeliveriesOfEndpoint, listDeliveriesOfMessage, listMessages } from '../lists.js';

/** The app's enabled endpoints with what routing (core/filter.ts) and parking need. */
const ROUTING = `
SELECT e.id, e.filter_types, e.channels, (${GATED}) AS gated FROM endpoints e
WHERE e.app_id = ? AND e.disabled = 0`;
const INSERT_MESSAGE = `
INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_DELIVERY = `
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked)
VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, 'scheduled', ?, ?, ?)`;
/**
 * Retention: bounded batches keep each write transaction short; callers loop
 * until 0. A message with a delivery still pending or sending is accepted
 * work not yet done, so it stays whatever its age (the cascade would drop the
 * delivery). The check is one probe of UNIQUE (msg_id, endpoint_id) per
 * candidate from the messages_created range scan. Kept rows are filtered out,
 * not counted, so every full batch makes progress and the loop ends. SQLite
 * has one writer, so nothing can reopen a delivery between check and delete.
 */
const PRUNE = `
DELETE FROM messages WHERE id IN (
  SELECT m.id FROM messages m
  WHERE m.created_at < ?
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.status IN ('pending', 'sending'))
  ORDER BY m.created_at LIMIT ?)`;

type RoutingRow = { id: string; filter_types: string | null; channels: string | null; gated: number };
const list = (text: string | null): string[] | null =>
  text === null ? null : (JSON.parse(text) as string[]);

export function sqliteMessages(db: Db, cipher: FieldCipher): MessageRepo {
  const routing = db.prepare<[string], RoutingRow>(ROUTING);
  const insertMessage = db.prepare(INSERT_MESSAGE);
  const insertDelivery = db.prepare(INSERT_DELIVERY);
  const byId = db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE app_id = ? AND id = ?');
  const endpointById = db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE id = ?');

  // Message and deliveries commit together: once the API answers, every delivery exists.
  // Concurrent accepts share one commit (group-commit.ts).
  const create = groupCommit(db, (msg: Message): number => {
    const now = msg.createdAt.getTime();
    insertMessage.run(
      msg.id,
      msg.appId,
      msg.eventType,
      msg.eventId,
      msg.payload,
      sqliteDialect.list(msg.channels),
      sqliteDialect.list(msg.tags),
      now,
    );
    let count = 0;
    for (const ep of routing.all(msg.appId)) {
      const rules = { filterTypes: list(ep.filter_types), channels: list(ep.channels), disabled: false };
      if (!endpointAccepts(rules, msg)) continue;
      insertDelivery.run(newId('dlv', now), msg.appId, msg.id, ep.id, now, now, now, now, ep.gated);
      count++;
    }
    return count;
  });

  return {
    async create(input) {
      const now = new Date();
      const message: Message = { id: newId('msg', now.getTime()), ...input, createdAt: now };
      try {
        return { message, deliveries: await create(message) };
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && input.eventId !== null) {
          throw conflict(`a message with eventId ${input.eventId} already exists`);
        }
        return mapSqliteError(err, 'message');
      }
    },
    async get(appId, id) {
      const row = byId.get(appId, id);
      return row ? toMessage(row) : null;
    },
    list: async (appId, filter, page) =>
      readPage(db, listMessages(sqliteDialect, appId, filter, page), toMessage),
    deliveries: async (appId, msgId, page) =>
      readPage(db, listDeliveriesOfMessage(sqliteDialect, appId, msgId, page), (r: DeliveryRow) => ({
        delivery: toDelivery(r),
        endpoint: toEndpoint(cipher)(endpointById.get(r.endpoint_id)!),
      })),
    forEndpoint: async (appId, endpointId, filter, page) =>
      readPage(
        db,
        listDeliveriesOfEndpoint(sqliteDialect, appId, endpointId, filter, page),
        (r: DeliveryRow) => ({
          delivery: toDelivery(r),
          message: toMessage(byId.get(appId, r.msg_id)!),
        }),
      ),
    async prune(cutoff, batch) {
      return db.prepare(PRUNE).run(cutoff.getTime(), batch).changes;
    },
  };
}
