import { useState } from 'preact/hooks';
import { type Api, type ListOut, seg } from './api';
import { Action, ErrorNote, Field, Pager, Pill, Show, useLoad } from './components';

/** Hookline's own events, sent to the operator's endpoints (GET /operational-webhook/endpoint...). */
const OPERATIONAL_TYPES = [
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.exhausted',
  'message.attempt.failing',
] as const;

interface OperationalEndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: boolean;
  filterTypes: string[] | null;
  rateLimit: number | null;
}

function TypePicker({ picked, onChange }: { picked: string[]; onChange: (types: string[]) => void }) {
  return (
    <fieldset>
      <legend>Events (none picked: all of them)</legend>
      <div class="checks">
        {OPERATIONAL_TYPES.map((t) => (
          <label key={t} class="check">
            <input
              type="checkbox"
              checked={picked.includes(t)}
              onChange={(e) =>
                onChange(
                  e.currentTarget.checked
                    ? [...picked.filter((x) => x !== t), t]
                    : picked.filter((x) => x !== t),
                )
              }
            />
            {t}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One operational endpoint as a table row: its events, enable/disable, secret, delete. */
function EndpointRow({ api, ep, reload }: { api: Api; ep: OperationalEndpointOut; reload: () => void }) {
  const path = `/operational-webhook/endpoint/${seg(ep.id)}`;
  const [secret, setSecret] = useState<string | null>(null);
  const update = async (change: Partial<OperationalEndpointOut>) => {
    const { url, description, disabled, filterTypes, rateLimit, uid } = { ...ep, ...change };
    await api.send('PUT', path, { url, description, disabled, filterTypes, rateLimit, uid });
    reload();
  };
  return (
    <tr>
      <td>
        <code>{ep.url}</code>
        {ep.description ? <div class="muted">{ep.description}</div> : null}
        {secret ? <code class="secret">{secret}</code> : null}
      </td>
      <td>{ep.filterTypes?.join(', ') || 'all events'}</td>
      <td>
        <Pill text={ep.disabled ? 'disabled' : 'enabled'} />
      </td>
      <td>
        <div class="row-actions">
          <Action
            label={`${ep.disabled ? 'Enable' : 'Disable'} ${ep.url}`}
            run={() => update({ disabled: !ep.disabled })}
          />
          <Action
            label={`Reveal secret of ${ep.url}`}
            run={async () => setSecret((await api.get<{ key: string }>(`${path}/secret`)).key)}
          />
          <Action
            label={`Delete ${ep.url}`}
            kind="danger"
            confirm="Delete this operational endpoint?"
            run={async () => {
              await api.send('DELETE', path);
              reload();
            }}
          />
        </div>
      </td>
    </tr>
  );
}

export function OperationalPage({ api }: { api: Api }) {
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const loaded = useLoad(
    () => api.get<ListOut<OperationalEndpointOut>>('/operational-webhook/endpoint', { limit: 50, iterator }),
    [api, iterator],
  );
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.send('POST', '/operational-webhook/endpoint', {
        url,
        description,
        filterTypes: types.length > 0 ? types : null,
      });
      setUrl('');
      setDescription('');
      setTypes([]);
      loaded.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="operational-title">
      <h2 id="operational-title">Operational webhooks</h2>
      <p class="muted">
        Hookline tells these endpoints when an endpoint is disabled or enabled and when a message keeps
        failing or runs out of attempts, signed like any webhook.
      </p>
      <Show loaded={loaded}>
        {(list) =>
          list.data.length === 0 ? (
            <p class="muted">No operational endpoints.</p>
          ) : (
            <>
              <table>
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Events</th>
                    <th scope="col">State</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((ep) => (
                    <EndpointRow key={ep.id} api={api} ep={ep} reload={loaded.reload} />
                  ))}
                </tbody>
              </table>
              <Pager list={list} atStart={iterator === undefined} onPage={setIterator} />
            </>
          )
        }
      </Show>
      <form class="card form" aria-label="Add operational endpoint" onSubmit={create}>
        <h3>Add an operational endpoint</h3>
        <Field label="Endpoint URL">
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </Field>
        <Field label="Description">
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
        <TypePicker picked={types} onChange={setTypes} />
        <ErrorNote error={error} />
        <button type="submit" class="btn btn-primary">
          Add operational endpoint
        </button>
      </form>
    </section>
  );
}
