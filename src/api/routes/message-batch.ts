import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import type { MessageInput } from '../../store/store.js';
import { type ApiContext, type AppParams, loadApp } from '../context.js';
import { toErrorResponse } from '../errors.js';
import { messageOut } from '../out.js';
import { Query } from '../query.js';
import { rawElements, rawMember } from '../raw-json.js';
import { Fields } from '../validate.js';
import { readMessageIn } from './messages.js';

/** Messages per batch call. */
export const MAX_BATCH_MESSAGES = 1000;
/** A batch body may be this large (each payload still within --max-body-size). */
export const BATCH_BODY_BYTES = 16 * 1024 * 1024;

type ItemOut =
  | { status: 202; message: ReturnType<typeof messageOut> }
  | { status: number; error: ReturnType<typeof toErrorResponse>['body'] };

/**
 * POST /api/v1/app/{app_id}/msg/batch (Hookline; the Svix API has no batch):
 * `{messages: [MessageIn, ...]}`, up to 1,000, stored in one transaction.
 * Answers per item, in order: `{status: 202, message}` or `{status, error}`
 * (422 for an item that is not a valid MessageIn, 409 for an eventId already
 * used, in the app or earlier in the batch). The call is 202 when every item
 * was accepted, 207 when some were not; an Idempotency-Key covers the call.
 */
export function messageBatchRoutes(
  app: FastifyInstance,
  { store, wake, config, traceparent, payloadChecks }: ApiContext,
): void {
  app.post<{ Params: AppParams }>(
    '/api/v1/app/:app_id/msg/batch',
    { bodyLimit: Math.max(BATCH_BODY_BYTES, config.maxBodyBytes) },
    async (request, reply) => {
      const q = new Query(request.query);
      const withContent = q.bool('with_content') ?? true;
      q.done();
      const f = Fields.body(request.body);
      const items = f.objectList('messages', { min: 1, max: MAX_BATCH_MESSAGES });
      f.done();
      const application = await loadApp(store, request.params.app_id);
      // Every message of the batch is traced as a child of this one request.
      const trace = traceparent(request);
      const rawItems = rawElements((request.rawBody && rawMember(request.rawBody, 'messages')) ?? '');

      const out: (ItemOut | null)[] = [];
      const valid: { index: number; input: MessageInput; payload: unknown }[] = [];
      for (const [index, item] of (items ?? []).entries()) {
        if (item.issues.length > 0) {
          // Not an object: that alone is the answer, not a list of its missing fields.
          out.push({ status: 422, error: toErrorResponse(new ValidationError(item.issues)).body });
          continue;
        }
        const { fields, payload } = readMessageIn(item, rawItems?.[index]);
        // (payload is undefined when missing: JSON.stringify(undefined); the item is refused for that anyway.)
        if ((fields.payload ?? '').length > config.maxBodyBytes)
          item.fail(
            'payload',
            `over --max-body-size (${config.maxBodyBytes} bytes)`,
            'value_error.payload.size',
          );
        try {
          item.done();
          // Types that opted in (validateSchema) refuse the item whose payload fails their schema.
          await payloadChecks.check(fields.eventType, payload, ['body', 'messages', index, 'payload']);
          valid.push({ index, input: { appId: application.id, ...fields, traceparent: trace }, payload });
          out.push(null);
        } catch (err) {
          const { status, body } = toErrorResponse(err);
          out.push({ status, error: body });
        }
      }

      const stored = valid.length > 0 ? await store.messages.createBatch(valid.map((v) => v.input)) : [];
      let delivering = false;
      stored.forEach((result, i) => {
        const { index, payload } = valid[i]!;
        if ('conflict' in result) {
          const { status, body } = toErrorResponse(result.conflict);
          out[index] = { status, error: body };
          return;
        }
        if (result.deliveries > 0) delivering = true;
        out[index] = { status: 202, message: messageOut(result.message, withContent, payload) };
      });
      if (delivering) wake();
      const data = out as ItemOut[];
      return reply.code(data.every((d) => d.status === 202) ? 202 : 207).send({ data });
    },
  );
}
