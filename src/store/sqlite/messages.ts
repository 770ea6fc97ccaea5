import { conflict } from '../../core/errors.js';
import { endpointAccepts } from '../../core/filter.js';
import { newId } from '../../core/ids.js';
import type { Delivery, DeliveryStatus, Message, Trigger } from '../../core/model.js';
import type { MessageFilter, MessageRepo } from '../store.js';
import { type Db, json, mapSqliteError, parseJson, toDate, toDateOrNull } from './db.js';
import { type EndpointRow, toEndpoint } from './endpoints.js';
import { GATED } from './gated.js';
import { groupCommit } from './group-commit.js';
import { keyset } from './paging.js';

interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string;
  channels: string | null;
  tags: string | null;
  created_at: number;
}
export interface DeliveryRow {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  trigger: Trigger;
  updated_at: number;
}

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventType: r.event_type,
  eventId: r.event_id,
  payload: r.payload,
  channels: parseJson(r.channels),
  tags: parseJson(r.tags),
  createdAt: toDate(r.created_at),
});
export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  appId: r.app_id,
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: toDateOrNull(r.next_attempt_at),
  trigger: r.trigger,
  updatedAt: toDate(r.updated_at),
});

/** SQL conditions for a MessageFilter over `m.` columns, with their parameters. */
export function messageConditions(f: MessageFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.eventTypes && f.eventTypes.length > 0) {
    parts.push(`m.event_type IN (${f.eventTypes.map(() => '?').join(', ')})`);
    params.push(...f.eventTypes);
  }
  if (f.channel !== undefined) {
    parts.push('EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value = ?)');
    params.push(f.channel);
  }
  if (f.tag !== undefined) {
    parts.push('EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)');
    params.push(f.tag);
  }
  if (f.before) {
    parts.push('m.created_at < ?');
    params.push(f.before.getTime());
  }
  if (f.after) {
    parts.push('m.created_at > ?');
    params.push(f.after.getTime());
  }
  return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
}

export function sqliteMessages(db: Db): MessageRepo {
  const routingRows = db.prepare<
    [string],
    { id: string; filter_types: string | null; channels: string | null; gated: number }
  >(
    `SELECT id, filter_types, channels, (${GATED}) AS gated FROM endpoints WHERE app_id = ? AND disabled = 0`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at, parked)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE app_id = ? AND id = ?');
  const endpointRow = db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE id = ?');

  // Message and deliveries commit together: once the API answers, every delivery exists.
  // Concurrent accepts share one commit (group-commit.ts).
  const create = groupCommit(db, (msg: Message): number => {
    insertMessage.run(
      msg.id,
      msg.appId,
      msg.eventType,
      msg.eventId,
      msg.payload,
      json(msg.channels),
      json(msg.tags),
      msg.createdAt.getTime(),
    );
    const now = msg.createdAt.getTime();
    let count = 0;
    for (const ep of routingRows.all(msg.appId)) {
      const rules = {
        filterTypes: parseJson<string[]>(ep.filter_types),
        channels: parseJson<string[]>(ep.channels),
        disabled: false,
      };
      if (!endpointAccepts(rules, msg)) continue;
      insertDelivery.run(newId('dlv', now), msg.appId, msg.id, ep.id, now, now, now, ep.gated);
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
    async list(appId, filter, page) {
      const k = keyset('m.id', 'desc', page);
      const c = messageConditions(filter);
      const rows = db
        .prepare<unknown[], MessageRow>(
          `SELECT m.* FROM messages m WHERE m.app_id = ? AND ${c.sql} AND ${k.where} ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(appId, ...c.params, ...k.params, k.limit);
      const result = k.finish(rows);
      return { items: result.items.map(toMessage), done: result.done };
    },
    async deliveries(appId, msgId, page) {
      const k = keyset('d.endpoint_id', 'asc', page);
      const rows = db
        .prepare<unknown[], DeliveryRow>(
          `SELECT d.* FROM deliveries d
           WHERE d.app_id = ? AND d.msg_id = ? AND ${k.where} ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(appId, msgId, ...k.params, k.limit);
      const result = k.finish(rows);
      return {
        items: result.items.map((r) => ({
          delivery: toDelivery(r),
          endpoint: toEndpoint(endpointRow.get(r.endpoint_id)!),
        })),
        done: result.done,
      };
    },
    async forEndpoint(appId, endpointId, filter, page) {
      const k = keyset('d.msg_id', 'desc', page);
      const c = messageConditions(filter);
      const status = filter.status === undefined ? '' : 'AND d.status = ?';
      const rows = db
        .prepare<unknown[], DeliveryRow>(
          `SELECT d.* FROM deliveries d JOIN messages m ON m.id = d.msg_id
           WHERE d.app_id = ? AND d.endpoint_id = ? AND ${c.sql} ${status} AND ${k.where}
           ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(appId, endpointId, ...c.params, ...(filter.status ? [filter.status] : []), ...k.params, k.limit);
      const result = k.finish(rows);
      return {
        items: result.items.map((r) => ({
          delivery: toDelivery(r),
          message: toMessage(byId.get(appId, r.msg_id)!),
        })),
        done: result.done,
      };
    },
    async prune(cutoff, batch) {
      // Bounded batches keep each write transaction short; callers loop until 0.
      // A message with a delivery still pending or sending is accepted work not
      // yet done, so it stays whatever its age (the cascade would drop the
      // delivery). The check is one probe of UNIQUE (msg_id, endpoint_id) per
      // candidate from the messages_created range scan. Kept rows are filtered
      // out, not counted, so every full batch makes progress and the loop ends.
      // SQLite has one writer, so nothing can reopen a delivery between the
      // check and the delete.
      const { changes } = db
        .prepare(
          `DELETE FROM messages WHERE id IN (
             SELECT m.id FROM messages m
             WHERE m.created_at < ?
               AND NOT EXISTS (
                 SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.status IN ('pending', 'sending'))
             ORDER BY m.created_at LIMIT ?)`,
        )
        .run(cutoff.getTime(), batch);
      return changes;
    },
  };
}
