import type { FastifyInstance } from 'fastify';
import { HooklineError, invalid, notFound } from '../../core/errors.js';
import { hasPrefix } from '../../core/ids.js';
import type { Application } from '../../core/model.js';
import { OPERATIONAL_APP_ID } from '../../core/operational.js';
import type { MessageFilter, MessageInput, Store } from '../../store/store.js';
import { boundedPage, PAGE_PAYLOAD_BYTES } from '../bounded-page.js';
import { type ApiContext, type AppParams, loadApp, loadMessage, type MessageParams } from '../context.js';
import { messageOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { rawMember } from '../raw-json.js';
import { Fields, NAME_PATTERN, UID_PATTERN, uidProblem } from '../validate.js';
import { readApplication } from './applications.js';

/** Svix list filters shared by message lists (`event_types`, `channel`, `tag`, `before`, `after`). */
export function readMessageFilter(q: Query): MessageFilter {
  const filter: MessageFilter = {};
  const eventTypes = q.list('event_types');
  if (eventTypes) filter.eventTypes = eventTypes;
  const channel = q.string('channel');
  if (channel !== undefined) filter.channel = channel;
  const tag = q.string('tag');
  if (tag !== undefined) filter.tag = tag;
  const before = q.date('before');
  if (before) filter.before = before;
  const after = q.date('after');
  if (after) filter.after = after;
  return filter;
}

/**
 * The app to post into. As in Svix, a body `application` creates the app (its
 * uid defaulting to the path's app_id) when the path names none yet.
 */
export async function appForMessage(store: Store, appId: string, f: Fields): Promise<Application> {
  // Checked even when the app exists and it goes unused: what the API accepts, the document allows.
  const nested = f.has('application') ? f.nested('application') : undefined;
  const input = nested && readApplication(nested, null);
  f.done();
  const existing = await store.apps.get(appId);
  if (existing?.id === OPERATIONAL_APP_ID) throw notFound('application');
  if (existing) return existing;
  if (!input) throw notFound('application');
  // The path names the new app: it becomes its uid, under the same rules as a uid in a body.
  const uid = input.uid ?? appId;
  const problem = uidProblem(uid);
  if (problem) throw invalid(['path', 'app_id'], `cannot be the new application's uid: ${problem}`);
  try {
    return await store.apps.create({ ...input, uid });
  } catch (err) {
    const raced =
      err instanceof HooklineError && err.code === 'CONFLICT' ? await store.apps.get(appId) : null;
    if (raced) return raced;
    throw err;
  }
}

/**
 * The id to post into. An app id needs no lookup: ids never change, and the
 * insert's foreign key reports one that does not exist, which saves a read
 * (a round trip on PostgreSQL) per accepted message. Uids are looked up.
 */
async function appIdForMessage(
  store: Store,
  appId: string,
  f: Fields,
): Promise<{ id: string; checked: boolean }> {
  if (hasPrefix(appId, 'app') && appId !== OPERATIONAL_APP_ID && !f.has('application')) {
    return { id: appId, checked: false };
  }
  return { id: (await appForMessage(store, appId, f)).id, checked: true };
}

/**
 * A MessageIn body's fields (Svix), checked (issues collected in `f`), for
 * the app given later. `rawText` is the body's exact text, so the payload is
 * stored and signed byte for byte as sent: re-serialising could change
 * numbers or spacing.
 */
export function readMessageIn(
  f: Fields,
  rawText: string | undefined,
): { fields: Omit<MessageInput, 'appId'>; payload: unknown } {
  const eventType = f.string('eventType', { required: true, min: 1, max: 256, pattern: NAME_PATTERN });
  const payload = f.any('payload', true);
  const channels = f.stringList('channels', { min: 1, max: 128, maxItems: 10 });
  const eventId = f.nullableString('eventId', { min: 1, max: 256, pattern: UID_PATTERN });
  const tags = f.stringList('tags', { min: 1, max: 128, maxItems: 10 });
  if (f.has('deliverAt')) f.fail('deliverAt', 'scheduled delivery is not supported by Hookline');
  // Retention is server-wide in Hookline; the per-message hints are checked and ignored.
  f.nullableInt('payloadRetentionPeriod', { min: 1 });
  f.nullableInt('payloadRetentionHours', { min: 1 });
  const fields = {
    eventType: eventType ?? '',
    eventId: eventId ?? null,
    payload: (rawText && rawMember(rawText, 'payload')) ?? JSON.stringify(payload),
    channels: channels && channels.length > 0 ? channels : null,
    tags: tags && tags.length > 0 ? tags : null,
  };
  return { fields, payload };
}

export function messageRoutes(
  app: FastifyInstance,
  { store, wake, config, traceparent, payloadChecks }: ApiContext,
): void {
  app.post<{ Params: AppParams }>('/api/v1/app/:app_id/msg', async (request, reply) => {
    const q = new Query(request.query);
    const withContent = q.bool('with_content') ?? true;
    q.done();
    const f = Fields.body(request.body);
    const { fields, payload } = readMessageIn(f, request.rawBody);
    f.done();
    // Types that opted in (validateSchema) refuse payloads their JSON Schema rejects.
    await payloadChecks.check(fields.eventType, payload);
    const application = await appIdForMessage(store, request.params.app_id, f);
    const { message, waiting } = await store.messages
      .create({ appId: application.id, ...fields, traceparent: traceparent(request) })
      .catch((err: unknown) => {
        const missing = err instanceof HooklineError && err.code === 'NOT_FOUND';
        throw missing && !application.checked ? notFound('application') : err;
      });
    if (waiting > 0) wake();
    return reply.code(202).send(messageOut(message, withContent, payload));
  });

  app.get<{ Params: AppParams }>('/api/v1/app/:app_id/msg', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    const filter = readMessageFilter(q);
    const withContent = q.bool('with_content') ?? true;
    q.done();
    const application = await loadApp(store, request.params.app_id);
    const result = await boundedPage(
      (at) => store.messages.list(application.id, filter, at),
      page,
      (m) => m.id,
      (m) => m.payload.length,
      { maxBytes: PAGE_PAYLOAD_BYTES, maxItemBytes: config.maxBodyBytes },
    );
    return listOut(
      result,
      (m) => m.id,
      (m) => messageOut(m, withContent),
    );
  });

  app.get<{ Params: MessageParams }>('/api/v1/app/:app_id/msg/:msg_id', async (request) => {
    const q = new Query(request.query);
    const withContent = q.bool('with_content') ?? true;
    q.done();
    const { message } = await loadMessage(store, request.params);
    return messageOut(message, withContent);
  });
}
