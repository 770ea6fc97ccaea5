import { useState } from 'preact/hooks';
import { type Api, type EndpointOut, seg } from './api';
import { type AppScope, eventTypeNames, go } from './app-scope';
import { ErrorNote, Field, listOf, Show, useLoad } from './components';

/** Add or edit an endpoint: URL, description, event types picked from the catalogue, channels, rate limit. */
export function EndpointForm({
  api,
  appId,
  endpoint,
  onSaved,
}: {
  api: Api;
  appId: string;
  endpoint?: EndpointOut;
  onSaved: (ep: EndpointOut) => void;
}) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [types, setTypes] = useState<string[]>(endpoint?.filterTypes ?? []);
  const [channels, setChannels] = useState((endpoint?.channels ?? []).join(', '));
  const [rate, setRate] = useState(endpoint?.rateLimit == null ? '' : String(endpoint.rateLimit));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const catalogue = useLoad(() => eventTypeNames(api), [api]);
  const toggle = (name: string, on: boolean) =>
    setTypes((t) => (on ? [...t.filter((x) => x !== name), name] : t.filter((x) => x !== name)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      url,
      description,
      filterTypes: types.length > 0 ? types : null,
      channels: listOf(channels),
      rateLimit: rate.trim() === '' ? null : Number(rate),
    };
    try {
      const saved = endpoint
        ? await api.send<EndpointOut>('PATCH', `/app/${seg(appId)}/endpoint/${seg(endpoint.id)}`, body)
        : await api.send<EndpointOut>('POST', `/app/${seg(appId)}/endpoint`, body);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-label={endpoint ? 'Edit endpoint' : 'Add endpoint'}>
      <Field label="Endpoint URL">
        <input
          type="url"
          required
          value={url}
          placeholder="https://example.com/webhooks"
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </Field>
      <Field label="Description">
        <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <fieldset>
        <legend>Event types (none picked: every event)</legend>
        <Show loaded={catalogue}>
          {(names) =>
            names.length === 0 ? (
              <p class="muted">The catalogue has no event types; this endpoint gets every event.</p>
            ) : (
              <div class="checks">
                {names.map((name) => (
                  <label key={name} class="check">
                    <input
                      type="checkbox"
                      checked={types.includes(name)}
                      onChange={(e) => toggle(name, e.currentTarget.checked)}
                    />
                    {name}
                  </label>
                ))}
              </div>
            )
          }
        </Show>
      </fieldset>
      <Field label="Channels" hint="comma-separated; none: every channel">
        <input value={channels} onInput={(e) => setChannels(e.currentTarget.value)} />
      </Field>
      <Field label="Rate limit" hint="messages per second; empty: none">
        <input inputMode="numeric" value={rate} onInput={(e) => setRate(e.currentTarget.value)} />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {endpoint ? 'Save endpoint' : 'Create endpoint'}
      </button>
    </form>
  );
}

export function NewEndpointView({ api, appId, link }: AppScope) {
  return (
    <section>
      <h2>Add endpoint</h2>
      <EndpointForm api={api} appId={appId} onSaved={(ep) => go(link(`/endpoints/${seg(ep.id)}`))} />
    </section>
  );
}
