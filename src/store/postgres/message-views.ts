import { postgresDialect } from '../dialect.js';
import { listDeliveriesOfEndpoint, listDeliveriesOfMessage } from '../lists.js';
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
import type { Db } from './db.js';

/**
 * Deliveries with their endpoint or message, for the API's per-message and
 * per-endpoint views: one statement for the page, one for the related rows.
 * A delivery whose endpoint or message vanished meanwhile is gone too
 * (cascade): it is skipped.
 */
export function messageViews(db: Db, cipher: FieldCipher): Pick<MessageRepo, 'deliveries' | 'forEndpoint'> {
  return {
    async deliveries(appId, msgId, page) {
      const result = await db.page(
        listDeliveriesOfMessage(postgresDialect, appId, msgId, page),
        (r: DeliveryRow) => r,
      );
      const endpoints = await db.query<EndpointRow>('SELECT * FROM endpoints WHERE id = ANY ($1::text[])', [
        result.items.map((r) => r.endpoint_id),
      ]);
      const byId = new Map(endpoints.map((e) => [e.id, toEndpoint(cipher)(e)]));
      const items = result.items.flatMap((r) => {
        const endpoint = byId.get(r.endpoint_id);
        return endpoint ? [{ delivery: toDelivery(r), endpoint }] : [];
      });
      return { items, done: result.done };
    },
    async forEndpoint(appId, endpointId, filter, page) {
      const list = listDeliveriesOfEndpoint(postgresDialect, appId, endpointId, filter, page);
      const result = await db.page(list, (r: DeliveryRow) => r);
      const messages = await db.query<MessageRow>('SELECT * FROM messages WHERE id = ANY ($1::text[])', [
        result.items.map((r) => r.msg_id),
      ]);
      const byId = new Map(messages.map((m) => [m.id, toMessage(m)]));
      const items = result.items.flatMap((r) => {
        const message = byId.get(r.msg_id);
        return message ? [{ delivery: toDelivery(r), message }] : [];
      });
      return { items, done: result.done };
    },
  };
}
