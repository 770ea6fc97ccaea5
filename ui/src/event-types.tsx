import { useState } from 'preact/hooks';
import { type Api, type EventTypeOut, type ListOut, seg } from './api';
import { go } from './app-scope';
import { Action, ErrorNote, Field, Pill, Show, Table, useLoad, when } from './components';

/** An event type with its schemas (GET /event-type/{name} answers them). */
type EventTypeFull = EventTypeOut & {
  schemas: Record<string, Record<string, unknown>> | null;
  createdAt: string;
  updatedAt: string;
};

/** Text from a JSON textarea: undefined when blank, else parsed (a SyntaxError names the field). */
function jsonOf(field: string, text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${field} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The schemas for one version, with the example first in its `examples` (where
 * send-example reads it). Blank schema and example: null (no schema).
 */
function schemasOf(schemaText: string, exampleText: string, version: string) {
  const schema = jsonOf('Schema', schemaText);
  const example = jsonOf('Example', exampleText);
  if (schema === undefined && example === undefined) return null;
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema)))
    throw new Error('Schema must be a JSON object');
  const s = { ...((schema as Record<string, unknown> | undefined) ?? {}) };
  if (example !== undefined) {
    const rest = Array.isArray(s.examples) ? s.examples.slice(1) : [];
    s.examples = [example, ...rest];
  }
  return { [version]: s };
}

/** Newest version's schema without its examples, and its first example, as editable text. */
function splitSchema(et: EventTypeFull) {
  const versions = Object.keys(et.schemas ?? {}).sort((a, b) => Number(a) - Number(b));
  const version = versions.at(-1) ?? '1';
  const schema = { ...(et.schemas?.[version] ?? {}) };
  const examples = Array.isArray(schema.examples) ? schema.examples : [];
  delete schema.examples;
  return {
    version,
    schema: Object.keys(schema).length > 0 ? JSON.stringify(schema, null, 2) : '',
    example: examples.length > 0 ? JSON.stringify(examples[0], null, 2) : '',
  };
}

function SchemaFields(props: {
  schema: string;
  example: string;
  setSchema: (v: string) => void;
  setExample: (v: string) => void;
}) {
  return (
    <>
      <Field label="Payload schema (JSON Schema)" hint="optional; JSON">
        <textarea rows={8} value={props.schema} onInput={(e) => props.setSchema(e.currentTarget.value)} />
      </Field>
      <Field label="Example payload" hint="optional; JSON; what send-example sends">
        <textarea rows={5} value={props.example} onInput={(e) => props.setExample(e.currentTarget.value)} />
      </Field>
    </>
  );
}

export function EventTypesPage({ api }: { api: Api }) {
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [schema, setSchema] = useState('');
  const [example, setExample] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const loaded = useLoad(
    () =>
      api.get<ListOut<EventTypeOut>>('/event-type', {
        limit: 50,
        iterator,
        include_archived: true,
        with_content: false,
      }),
    [api, iterator],
  );
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const body = { name, description, schemas: schemasOf(schema, example, '1') };
      const et = await api.send<EventTypeOut>('POST', '/event-type', body);
      go(`#/event-types/${seg(et.name)}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="event-types-title">
      <h2 id="event-types-title">Event types</h2>
      <Show loaded={loaded}>
        {(list) => (
          <Table
            columns={[
              { header: 'Name', cell: (et) => <a href={`#/event-types/${seg(et.name)}`}>{et.name}</a> },
              { header: 'Description', cell: (et) => et.description || '—' },
              { header: 'State', cell: (et) => <Pill text={et.archived ? 'archived' : 'active'} /> },
            ]}
            rows={list.data}
            rowKey={(et) => et.name}
            empty="No event types yet: endpoints get every event until some exist."
            paging={{ list, atStart: iterator === undefined, onPage: setIterator }}
          />
        )}
      </Show>
      <form class="card form" aria-label="Create event type" onSubmit={create}>
        <h3>New event type</h3>
        <Field label="Name" hint="letters, digits, - _ .">
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Description">
          <input required value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
        <SchemaFields schema={schema} example={example} setSchema={setSchema} setExample={setExample} />
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary">
          Create event type
        </button>
      </form>
    </section>
  );
}

function EditEventType({ api, et, onSaved }: { api: Api; et: EventTypeFull; onSaved: () => void }) {
  const split = splitSchema(et);
  const [description, setDescription] = useState(et.description);
  const [schema, setSchema] = useState(split.schema);
  const [example, setExample] = useState(split.example);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const schemas = { ...(et.schemas ?? {}), ...(schemasOf(schema, example, split.version) ?? {}) };
      if (schema.trim() === '' && example.trim() === '') delete schemas[split.version];
      await api.send('PATCH', `/event-type/${seg(et.name)}`, {
        description,
        schemas: Object.keys(schemas).length > 0 ? schemas : null,
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form" aria-label="Edit event type" onSubmit={save}>
      <Field label="Description">
        <input required value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <p class="muted">Schema version {split.version} (the newest).</p>
      <SchemaFields schema={schema} example={example} setSchema={setSchema} setExample={setExample} />
      <ErrorNote error={error} />
      {saved ? <p role="status">Saved.</p> : null}
      <button type="submit" class="btn btn-primary">
        Save event type
      </button>
    </form>
  );
}

export function EventTypePage({ api, name }: { api: Api; name: string }) {
  const loaded = useLoad(() => api.get<EventTypeFull>(`/event-type/${seg(name)}`), [api, name]);
  return (
    <section>
      <nav class="crumbs" aria-label="Event type">
        <a href="#/event-types">Event types</a> / {name}
      </nav>
      <Show loaded={loaded}>
        {(et) => (
          <>
            <h2>{et.name}</h2>
            <dl class="facts">
              <dt>State</dt>
              <dd>{et.archived ? <Pill text="archived" /> : <Pill text="active" />}</dd>
              <dt>Created</dt>
              <dd>{when(et.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{when(et.updatedAt)}</dd>
            </dl>
            <div class="row-actions">
              <Action
                label={et.archived ? 'Unarchive event type' : 'Archive event type'}
                confirm={
                  et.archived ? undefined : 'Archive this event type? Endpoints can no longer pick it.'
                }
                run={async () => {
                  await api.send('PATCH', `/event-type/${seg(et.name)}`, { archived: !et.archived });
                  loaded.reload();
                }}
              />
            </div>
            <EditEventType key={et.name} api={api} et={et} onSaved={loaded.reload} />
          </>
        )}
      </Show>
    </section>
  );
}
