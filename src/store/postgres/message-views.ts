import type { MessageFilter, MessageRepo } from '../store.js';
import type { Db } from './db.js';
import { keyset, Params } from './paging.js';
import {
  type DeliveryRow,
  deliveryColumns,
  type EndpointRow,
  type MessageRow,
  toDelivery,
  toEndpoint,
  toMessage,
} from './rows.js';

/** SQL conditions for a MessageFilter over `m.` columns. */
export function messageConditions(f: MessageFilter, p: Params): string {
  const parts: string[] = [];
  if (f.eventTypes && f.eventTypes.length > 0)
    parts.push(`m.event_type = ANY (${p.add(f.eventTypes)}::text[])`);
  if (f.channel !== undefined) parts.push(`${p.add(f.channel)}::text = ANY (m.channels)`);
  if (f.tag !== undefined) parts.push(`${p.add(f.tag)}::text = ANY (m.tags)`);
  if (f.before) parts.push(`m.created_at < ${p.add(f.before)}`);
  if (f.after) parts.push(`m.created_at > ${p.add(f.after)}`);
  return parts.length ? parts.join(' AND ') : 'true';
}

/**
 * Deliveries with their endpoint or message, for the API's per-message and
 * per-endpoint views: one statement for the page, one for the related rows.
 */
export function messageViews(db: Db): Pick<MessageRepo, 'deliveries' | 'forEndpoint'> {
  return {
    async deliveries(appId, msgId, page) {
      const p = new Params();
      const scope = `d.app_id = ${p.add(appId)} AND d.msg_id = ${p.add(msgId)}`;
      const k = keyset('d.endpoint_id', 'asc', page, p);
      const rows = await db.query<DeliveryRow>(
        `SELECT ${deliveryColumns('d')} FROM deliveries d
         WHERE ${scope} AND ${k.where} ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
        p.values,
      );
      const result = k.finish(rows);
      const endpoints = await db.query<EndpointRow>('SELECT * FROM endpoints WHERE id = ANY ($1::text[])', [
        result.items.map((r) => r.endpoint_id),
      ]);
      const byId = new Map(endpoints.map((e) => [e.id, toEndpoint(e)]));
      return {
        // A delivery whose endpoint vanished meanwhile is gone too (cascade): skip it.
        items: result.items.flatMap((r) => {
          const endpoint = byId.get(r.endpoint_id);
          return endpoint ? [{ delivery: toDelivery(r), endpoint }] : [];
        }),
        done: result.done,
      };
    },
    async forEndpoint(appId, endpointId, filter, page) {
      const p = new Params();
      const scope = `d.app_id = ${p.add(appId)} AND d.endpoint_id = ${p.add(endpointId)}`;
      const conditions = messageConditions(filter, p);
      const status = filter.status === undefined ? '' : `AND d.status = ${p.add(filter.status)}`;
      const k = keyset('d.msg_id', 'desc', page, p);
      const rows = await db.query<DeliveryRow>(
        `SELECT ${deliveryColumns('d')} FROM deliveries d JOIN messages m ON m.id = d.msg_id
         WHERE ${scope} AND ${conditions} ${status} AND ${k.where}
         ORDER BY ${k.orderBy} LIMIT ${k.limit}`,
        p.values,
      );
      const result = k.finish(rows);
      const messages = await db.query<MessageRow>('SELECT * FROM messages WHERE id = ANY ($1::text[])', [
        result.items.map((r) => r.msg_id),
      ]);
      const byId = new Map(messages.map((m) => [m.id, toMessage(m)]));
      return {
        items: result.items.flatMap((r) => {
          const message = byId.get(r.msg_id);
          return message ? [{ delivery: toDelivery(r), message }] : [];
        }),
        done: result.done,
      };
    },
  };
}
