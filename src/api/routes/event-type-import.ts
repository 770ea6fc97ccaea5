import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import type { EventType } from '../../core/model.js';
import { type EventTypeFromOpenApi, eventTypesFromOpenApi } from '../../core/openapi-import.js';
import type { EventTypeInput } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { Query } from '../query.js';
import { Fields } from '../validate.js';

const PAGE = 250;

/** Whether importing `from` would change the stored event type. */
function differs(current: EventType, next: EventTypeInput): boolean {
  return (
    current.archived ||
    current.description !== next.description ||
    current.deprecated !== next.deprecated ||
    current.featureFlag !== next.featureFlag ||
    current.groupName !== next.groupName ||
    JSON.stringify(current.schemas) !== JSON.stringify(next.schemas)
  );
}

const fromOpenApiOut = (t: EventTypeFromOpenApi) => ({
  ...t,
  featureFlags: t.featureFlag === null ? null : [t.featureFlag],
});

/**
 * `POST /api/v1/event-type/import/openapi` (Svix EventTypeImportOpenApiIn ->
 * EventTypeImportOpenApiOut): creates or updates an event type per webhook of
 * an OpenAPI 3.1 document (core/openapi-import.ts); an archived one comes
 * back. `replaceAll` archives every event type the document does not name;
 * `dryRun` changes nothing and lists what would change in `to_modify`.
 * `specRaw` is the document as JSON text (YAML is not read). Only event types
 * that change are written and listed in `modified`. An event type's
 * `validateSchema` is kept.
 */
export function eventTypeImportRoutes(app: FastifyInstance, { store, payloadChecks }: ApiContext): void {
  app.post('/api/v1/event-type/import/openapi', async (request) => {
    new Query(request.query).done();
    const f = Fields.body(request.body);
    let spec = f.any('spec');
    const specRaw = f.nullableString('specRaw', { max: 10_000_000 });
    const replaceAll = f.bool('replaceAll') ?? false;
    const dryRun = f.bool('dryRun') ?? false;
    if (spec == null && specRaw == null) f.fail('spec', 'spec or specRaw is required', 'value_error.missing');
    if (spec == null && typeof specRaw === 'string') {
      try {
        spec = JSON.parse(specRaw);
      } catch {
        f.fail(
          'specRaw',
          'must be the OpenAPI document as JSON text (YAML is not supported)',
          'value_error.json',
        );
      }
    }
    f.done();
    const { types, issues } = eventTypesFromOpenApi(spec);
    if (issues.length > 0) throw new ValidationError(issues);

    const changes: { input: EventTypeInput; existing: EventType | null }[] = [];
    for (const t of types) {
      const existing = await store.eventTypes.get(t.name);
      const input: EventTypeInput = {
        ...t,
        archived: false,
        validateSchema: existing?.validateSchema ?? false,
      };
      if (!existing || differs(existing, input)) changes.push({ input, existing });
    }
    const named = new Set(types.map((t) => t.name));
    const toArchive: EventType[] = [];
    if (replaceAll) {
      let after: string | undefined;
      for (;;) {
        const page = await store.eventTypes.list(
          { limit: PAGE, ...(after ? { after } : {}) },
          { includeArchived: false },
        );
        toArchive.push(...page.items.filter((et) => !named.has(et.name)));
        const last = page.items.at(-1);
        if (page.done || !last) break;
        after = last.name;
      }
    }
    if (dryRun) {
      return {
        data: {
          modified: [...changes.map((c) => c.input.name), ...toArchive.map((et) => et.name)],
          // snake_case in the svix client's EventTypeImportOpenApiOutData, unlike its other fields.
          to_modify: types.filter((t) => changes.some((c) => c.input.name === t.name)).map(fromOpenApiOut),
        },
      };
    }
    for (const { input, existing } of changes) {
      if (existing) await store.eventTypes.update(input.name, input);
      else await store.eventTypes.create(input);
      payloadChecks.forget(input.name);
    }
    for (const et of toArchive) await store.eventTypes.delete(et.name, { expunge: false });
    return { data: { modified: [...changes.map((c) => c.input.name), ...toArchive.map((et) => et.name)] } };
  });
}
