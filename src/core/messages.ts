import { conflict, type HooklineError } from './errors.js';
import { newId } from './ids.js';
import type { Message } from './model.js';

/** What a caller gives for a message; the store adds id and time. */
export type MessageFields = Omit<Message, 'id' | 'createdAt' | 'expungedAt'>;

/** A message as accepted now: its id (time-ordered, core/ids.ts) and creation time. */
export function newMessage(input: MessageFields, now = new Date()): Message {
  return { id: newId('msg', now.getTime()), ...input, createdAt: now, expungedAt: null };
}

/** A batch accepted at one instant, in input order. */
export function newMessages(inputs: readonly MessageFields[]): Message[] {
  const now = new Date();
  return inputs.map((input) => newMessage(input, now));
}

/** The one unique key a new message can hit: (app, eventId). */
export const eventIdConflict = (m: Pick<Message, 'eventId'>): HooklineError =>
  conflict(`a message with eventId ${m.eventId} already exists`);
