import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../auth.js';
import { invalid, notFound } from '../../core/errors.js';
import type { EventType } from '../../core/model.js';
import type { EventTypeInput } from '../../store/store.js';
import { validatorFor } from '../../core/payload-schema.js';
import { newestSchema } from '../../core/schema-example.js';
import type { ApiContext } from '../context.js';
import { eventTypeOut } from '../out.js';
import { listOut, Query } from '../query.js';
import { Fields, NAME_PATTERN } from '../validate.js';

interface NameParams {
  event_type_name: string;
}

const NAME_RULES = { min: 1, max: 256, pattern: NAME_PATTERN };

/**
 * EventTypeIn / EventTypeUpdate / EventTypePatch read onto `base` (null: every
 * field takes its default). Hookline stores one feature flag; `featureFlags`
 * with one entry is accepted as the same thing.
 */
function readEventType(f: Fields, name: string, base: EventTypeInput | null, descriptionRequired: boolean) {
  const description = f.string('description', { required: descriptionRequired, max: 16_384 });
  const archived = f.bool('archived');
  const deprecated = f.bool('deprecated');
  const schemas = f.any('schemas');
  if (schemas !== undefined && schemas !== null && (typeof schemas !== 'object' || Array.isArray(schemas))) {
    f.fail('schemas', 'expected an object of JSON schemas by version, or null', 'type_error.dict');
  }
  let featureFlag = f.nullableString('featureFlag', NAME_RULES);
  const featureFlags = f.stringList('featureFlags', { ...NAME_RULES, maxItems: 1 });
  if (featureFlags !== undefined && featureFlag === undefined) featureFlag = featureFlags?.[0] ?? null;
  const groupName = f.nullableString('groupName', NAME_RULES);
  const validateSchema = f.bool('validateSchema');
  const input: EventTypeInput = {
    name,
    description: description ?? base?.description ?? '',
    archived: archived ?? base?.archived ?? false,
    deprecated: deprecated ?? base?.deprecated ?? false,
    schemas: schemas !== undefined ? schemas : (base?.schemas ?? null),
    featureFlag: featureFlag !== undefined ? featureFlag : (base?.featureFlag ?? null),
    groupName: groupName !== undefined ? groupName : (base?.groupName ?? null),
    validateSchema: validateSchema ?? base?.validateSchema ?? false,
  };
  // Opting in needs a schema that compiles (ajv): refused now, not at the first message.
  if (input.validateSchema && f.issues.length === 0) {
    if (newestSchema(input.schemas) === null) f.fail('validateSchema', 'needs a JSON Schema in schemas');
    else validatorFor(input.schemas);
  }
  return input;
}

/**
 * As in Svix, an event type behind a feature flag is seen only by app-portal
 * tokens issued with that flag (the operator sees every type).
 */
function visibleTo(request: FastifyRequest): (et: EventType) => boolean {
  const principal = principalOf(request);
  if (principal.kind === 'operator') return () => true;
  return (et) => et.featureFlag === null || principal.token.featureFlags.includes(et.featureFlag);
}

const inputOf = ({ createdAt: _c, updatedAt: _u, ...input }: EventType): EventTypeInput => input;

export function eventTypeRoutes(app: FastifyInstance, { store, payloadChecks }: ApiContext): void {
  const load = async (name: string): Promise<EventType> => {
    const et = await store.eventTypes.get(name);
    if (!et) throw notFound('event type');
    return et;
  };

  app.get('/api/v1/event-type', async (request) => {
    const q = new Query(request.query);
    const page = q.page();
    const includeArchived = q.bool('include_archived') ?? false;
    // As in Svix, lists leave out the (possibly large) schemas unless asked.
    const withContent = q.bool('with_content') ?? false;
    q.oneOf('order', ['ascending'] as const);
    q.done();
    const result = await store.eventTypes.list(page, { includeArchived });
    const visible = visibleTo(request);
    // The iterators come from the page as read, so a page whose types are all hidden still goes on.
    const out = listOut(
      result,
      (et) => et.name,
      (et) => et,
    );
    return { ...out, data: out.data.filter(visible).map((et) => eventTypeOut(et, withContent)) };
  });

  app.post('/api/v1/event-type', async (request, reply) => {
    const f = Fields.body(request.body);
    const name = f.string('name', { ...NAME_RULES, required: true });
    const input = readEventType(f, name ?? '', null, true);
    f.done();
    const created = await store.eventTypes.create(input);
    payloadChecks.forget(created.name);
    return reply.code(201).send(eventTypeOut(created));
  });

  app.get<{ Params: NameParams }>('/api/v1/event-type/:event_type_name', async (request) => {
    const et = await load(request.params.event_type_name);
    if (!visibleTo(request)(et)) throw notFound('event type');
    return eventTypeOut(et);
  });

  // PUT creates the event type when it does not exist, as Svix does (201 then).
  app.put<{ Params: NameParams }>('/api/v1/event-type/:event_type_name', async (request, reply) => {
    const name = request.params.event_type_name;
    const f = Fields.body(request.body);
    const input = readEventType(f, name, null, true);
    f.done();
    const existing = await store.eventTypes.get(name);
    if (existing) {
      const updated = await store.eventTypes.update(name, input);
      payloadChecks.forget(name);
      return eventTypeOut(updated);
    }
    if (!NAME_PATTERN.test(name) || name.length > 256) {
      throw invalid(['path', 'event_type_name'], `must match ${NAME_PATTERN.source}, at most 256 characters`);
    }
    const created = await store.eventTypes.create(input);
    payloadChecks.forget(name);
    return reply.code(201).send(eventTypeOut(created));
  });

  app.patch<{ Params: NameParams }>('/api/v1/event-type/:event_type_name', async (request) => {
    const existing = await load(request.params.event_type_name);
    const f = Fields.body(request.body);
    const input = readEventType(f, existing.name, inputOf(existing), false);
    f.done();
    const updated = await store.eventTypes.update(existing.name, input);
    payloadChecks.forget(existing.name);
    return eventTypeOut(updated);
  });

  app.delete<{ Params: NameParams }>('/api/v1/event-type/:event_type_name', async (request, reply) => {
    const q = new Query(request.query);
    const expunge = q.bool('expunge') ?? false;
    q.done();
    const existing = await load(request.params.event_type_name);
    await store.eventTypes.delete(existing.name, { expunge });
    payloadChecks.forget(existing.name);
    return reply.code(204).send();
  });
}
