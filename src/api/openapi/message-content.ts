import type { Operation } from './operation.js';
import { array, bool, NAME, nullable, object, type Schema, str } from './schema.js';
import { taskStarted } from './tasks.js';

export const messageContentSchemas: Record<string, Schema> = {
  ExpungeAllContentsOut: taskStarted('application.purge_content'),
  MessagePrecheckIn: object(
    {
      eventType: str({ ...NAME, examples: ['payment.succeeded'] }),
      channels: nullable(array(str({ minLength: 1, maxLength: 128 }), { maxItems: 10 })),
    },
    ['eventType'],
  ),
  MessagePrecheckOut: object({ active: bool() }, ['active']),
};

const tag = 'Message';
const app = '/api/v1/app/{app_id}';

export const messageContentOperations: Operation[] = [
  {
    method: 'DELETE',
    path: `${app}/msg/{msg_id}/content`,
    operationId: 'v1.message.expunge-content',
    tag,
    summary: 'Expunge a message’s payload and its attempts’ response bodies',
    description:
      'The message stays listed with its payload read as `{"expired": true}`, its attempts’ bodies as `EXPUNGED`; ' +
      'its pending deliveries are canceled and a resend answers 409 `content_expunged`.',
    responses: { 204: null },
  },
  {
    method: 'DELETE',
    path: `${app}/msg/{msg_id}/attempt/{attempt_id}/content`,
    operationId: 'v1.message-attempt.expunge-content',
    tag: 'Message Attempt',
    summary: 'Expunge an attempt’s stored response body (it reads `EXPUNGED`)',
    responses: { 204: null },
  },
  {
    method: 'POST',
    path: `${app}/msg/expunge-all-contents`,
    operationId: 'v1.message.expunge-all-contents',
    tag,
    summary: 'Expunge the content of every message of the application (a background task)',
    description: 'The task’s data: `{expunged}`, the number of messages expunged.',
    responses: { 202: 'ExpungeAllContentsOut' },
  },
  {
    method: 'POST',
    path: `${app}/msg/precheck/active`,
    operationId: 'v1.message.precheck',
    tag,
    summary: 'Would a message of this type (and channels) reach any endpoint now',
    body: { schema: 'MessagePrecheckIn' },
    responses: { 200: 'MessagePrecheckOut' },
  },
];
