import { newId } from '../../core/ids.js';
import { eventIdConflict } from '../../core/messages.js';
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
import { type MessageRepo, type StoredMessage, storedMessages, withoutTrace } from '../store.js';
import { BOUND_LIMIT, type Db, mapSqliteError, readPage } from './db.js';
import { GATED } from './gated.js';
import { groupCommit, type Shared, writeEach } from './group-commit.js';
import { type HandOff, type LeaseTerms, NO_LEASE } from './hand-off.js';
import { listDeliveriesOfEndpoint, listDeliveriesOfMessage, listMessages } from '../lists.js';

const INSERT_MESSAGE = `
INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at, traceparent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/**
 * SQL: endpoint `e`'s routing accepts a message of event type `type` on the
 * channels `channels` (a JSON array): the rules of core/filter.ts
 * endpointAccepts, as on PostgreSQL. No filterTypes or the type among them,
 * and no channels or one shared with the message.
 */
export const routesTo = (type: string, channels: string) => `
  (e.filter_types IS NULL OR json_array_length(e.filter_types) = 0
   OR EXISTS (SELECT 1 FROM json_each(e.filter_types) WHERE value = ${type}))
  AND (e.channels IS NULL OR json_array_length(e.channels) = 0
   OR EXISTS (SELECT 1 FROM json_each(e.channels) c JOIN json_each(${channels}) mc ON mc.value = c.value))`;
/**
 * The enabled endpoints of the app whose routing accepts the message
 * (routesTo). `parked`: the endpoint is gated, so its delivery waits
 * for the gated claim; `lendable`: its one rule is the fair cap, so the
 * worker may borrow it (store.ts FairTerms).
 */
const ROUTE = `
SELECT e.id, (${GATED}) AS parked,
  e.fair_cap IS NOT NULL AND e.max_in_flight IS NULL AND e.rate_limit IS NULL AND e.ordered = 0
    AND e.breaker_open = 0 AS lendable
FROM endpoints e
WHERE e.app_id = $app AND e.disabled = 0 AND ${routesTo('$type', '$channels')}`;
/**
 * One delivery: pending and due now, or leased at once to this process's worker
 * (hand-off.ts). Positional parameters: binding from an object cost about 1 us
 * more an insert, on the accept's hottest statement.
 */
const INSERT_DELIVERY = `
INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at, trigger,
  created_at, updated_at, parked, lease_token)
VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'scheduled', ?, ?, ?, ?)`;
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
  ORDER BY m.created_at ${BOUND_LIMIT})`;

/** One endpoint a message goes to (ROUTE). */
interface Route {
  id: string;
  parked: 0 | 1;
  lendable: 0 | 1;
}

const isEventIdConflict = (err: unknown, m: Message) =>
  (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && m.eventId !== null;

export function sqliteMessages(
  db: Db,
  cipher: FieldCipher,
  handOff: HandOff,
): Omit<MessageRepo, 'createFor' | 'expungeContent' | 'expungeBatch'> {
  const insertMessage = db.prepare(INSERT_MESSAGE);
  const route = db.prepare<Record<string, string>, Route>(ROUTE);
  const insertDelivery = db.prepare(INSERT_DELIVERY);
  const byId = db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE app_id = ? AND id = ?');
  const endpointById = db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE id = ?');

  /**
   * The endpoints a message goes to. Accepts write messages and deliveries
   * only, so within one transaction the answer for an application, type and
   * channels stays the same: a group of accepts asks once.
   */
  const routesOf = (msg: StoredMessage, shared: Shared): Route[] => {
    const channels = JSON.stringify(msg.channels ?? []);
    const key = `route\0${msg.appId}\0${msg.eventType}\0${channels}`;
    let routes = shared.get(key) as Route[] | undefined;
    if (routes === undefined) {
      routes = route.all({ app: msg.appId, type: msg.eventType, channels });
      shared.set(key, routes);
    }
    return routes;
  };

  /** One message and its deliveries, leased to this process's worker as `terms` allow (hand-off.ts). */
  const write = (
    msg: StoredMessage,
    shared: Shared,
    terms: LeaseTerms = NO_LEASE,
  ): { deliveries: number; leased: number } => {
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
      msg.traceparent,
    );
    const routes = routesOf(msg, shared);
    // What the worker has room for is leased as a claim would: endpoints without limits
    // first, then borrowers (queue.ts); a gated endpoint's delivery waits for its claim.
    const lent = new Set<Route>();
    for (const r of routes) if (lent.size < terms.slots && !r.parked) lent.add(r);
    for (const r of routes)
      if (lent.size < terms.slots && r.parked && r.lendable && terms.borrowers.has(r.id)) lent.add(r);
    for (const r of routes) {
      const leased = lent.has(r);
      insertDelivery.run(
        newId('dlv', now),
        msg.appId,
        msg.id,
        r.id,
        leased ? 'sending' : 'pending',
        now,
        leased ? terms.leaseUntil : now,
        now,
        now,
        r.parked,
        leased ? terms.token : null,
      );
    }
    return { deliveries: routes.length, leased: lent.size };
  };
  // Message and deliveries commit together: once the API answers, every delivery exists.
  // Concurrent accepts share one commit (group-commit.ts); what this process's worker
  // has room for is leased to it in the same transaction (hand-off.ts).
  // A group written twice (one accept failed: writeEach) leases from what the first pass
  // left of the room: fewer deliveries, never more; the rest wait for a claim.
  const create = groupCommit(db, (msg: StoredMessage, shared: Shared) => {
    const terms = handOff.terms(msg.createdAt.getTime());
    const { deliveries, leased } = write(msg, shared, terms);
    return { deliveries, leased: handOff.leased(msg.id, terms, leased) };
  });
  // A batch is one transaction (writeEach): a repeated eventId leaves out that message
  // alone; any other error fails the whole batch.
  const writeBatch = writeEach(db, write, isEventIdConflict);

  return {
    async create(input) {
      const [message] = storedMessages([input]) as [StoredMessage];
      try {
        const { deliveries, leased } = await create(message);
        if (leased) handOff.give(leased);
        const waiting = deliveries - (leased?.rows.length ?? 0);
        return { message: withoutTrace(message), deliveries, waiting };
      } catch (err) {
        if (isEventIdConflict(err, message)) throw eventIdConflict(message);
        return mapSqliteError(err, 'message');
      }
    },
    async createBatch(inputs) {
      const messages = storedMessages(inputs);
      try {
        return writeBatch(messages).map((o, i) =>
          o.ok
            ? { message: withoutTrace(messages[i]!), deliveries: o.value.deliveries }
            : { conflict: eventIdConflict(messages[i]!) },
        );
      } catch (err) {
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
