import type { Params } from './dialect.js';
import type { AttemptFilter, MessageFilter } from './store.js';

/** SQL conditions for a MessageFilter over `m.` columns, for either backend. */
export function messageConditions(f: MessageFilter, p: Params): string {
  const d = p.dialect;
  const parts: string[] = [];
  if (f.eventTypes && f.eventTypes.length > 0) parts.push(d.oneOf(p, 'm.event_type', f.eventTypes));
  if (f.channel !== undefined) parts.push(d.holds(p, 'm.channels', f.channel));
  if (f.tag !== undefined) parts.push(d.holds(p, 'm.tags', f.tag));
  if (f.before) parts.push(`m.created_at < ${p.add(d.time(f.before))}`);
  if (f.after) parts.push(`m.created_at > ${p.add(d.time(f.after))}`);
  return parts.length ? parts.join(' AND ') : d.always;
}

/** SQL conditions for an AttemptFilter over the attempts table's columns. */
export function attemptConditions(f: AttemptFilter, p: Params): string {
  const d = p.dialect;
  const parts: string[] = [];
  if (f.status) parts.push(`status = ${p.add(f.status)}`);
  if (f.before) parts.push(`created_at < ${p.add(d.time(f.before))}`);
  if (f.after) parts.push(`created_at > ${p.add(d.time(f.after))}`);
  if (f.endpointId) parts.push(`endpoint_id = ${p.add(f.endpointId)}`);
  if (f.statusCodeClass === 0) parts.push('response_status_code = 0');
  else if (f.statusCodeClass !== undefined) {
    parts.push(
      `response_status_code >= ${p.add(f.statusCodeClass)} AND response_status_code < ${p.add(f.statusCodeClass + 100)}`,
    );
  }
  // Message filters, as message lists apply them: one primary-key probe of the attempt's message per row.
  const onMessage = attemptMessageFilter(f);
  if (onMessage) {
    parts.push(
      `EXISTS (SELECT 1 FROM messages m WHERE m.id = msg_id AND ${messageConditions(onMessage, p)})`,
    );
  }
  return parts.length ? parts.join(' AND ') : d.always;
}

/** The part of an AttemptFilter that is about the attempt's message, or null when there is none. */
export function attemptMessageFilter(f: AttemptFilter): MessageFilter | null {
  if (!f.eventTypes?.length && f.channel === undefined && f.tag === undefined) return null;
  const m: MessageFilter = {};
  if (f.eventTypes?.length) m.eventTypes = f.eventTypes;
  if (f.channel !== undefined) m.channel = f.channel;
  if (f.tag !== undefined) m.tag = f.tag;
  return m;
}
