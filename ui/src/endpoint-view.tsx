import { useState } from 'preact/hooks';
import { type AttemptOut, type EndpointOut, type ListOut, type MessageOut, type StatsOut, seg } from './api';
import { type AppScope, EndpointState, eventTypeNames, go, Health } from './app-scope';
import { EndpointForm } from './endpoint-form';
import { Action, Field, Show, useLoad } from './components';
import { AttemptsTable } from './message-views';
import { RecoverBox } from './recover';

function SecretBox({ api, appId, endpointId, caps }: AppScope & { endpointId: string }) {
  const [secret, setSecret] = useState<string | null>(null);
  const path = `/app/${seg(appId)}/endpoint/${seg(endpointId)}/secret`;
  const reveal = async () => setSecret((await api.get<{ key: string }>(path)).key);
  if (!caps.viewSecret && !caps.rotateSecret) return null;
  return (
    <div class="card">
      <h3>Signing secret</h3>
      {secret === null ? <p class="muted">Hidden.</p> : <code class="secret">{secret}</code>}
      <div class="row-actions">
        {secret === null ? (
          <Action label="Reveal secret" run={reveal} />
        ) : (
          <button type="button" class="btn btn-secondary" onClick={() => setSecret(null)}>
            Hide secret
          </button>
        )}
        {caps.rotateSecret ? (
          <Action
            label="Rotate secret"
            confirm="Rotate the signing secret? The old one keeps signing for the grace period."
            run={async () => {
              await api.send('POST', `${path}/rotate`, {});
              if (secret !== null) await reveal();
            }}
          />
        ) : null}
      </div>
    </div>
  );
}

/** Custom headers sent with each delivery; sensitive ones (Authorization...) are listed by name only, as the API answers. */
function HeadersBox({ api, appId, endpointId, caps }: AppScope & { endpointId: string }) {
  const path = `/app/${seg(appId)}/endpoint/${seg(endpointId)}/headers`;
  const loaded = useLoad(
    () => api.get<{ headers: Record<string, string>; sensitive: string[] }>(path),
    [appId, endpointId],
  );
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const change = async (body: unknown) => {
    await api.send('PATCH', path, body);
    loaded.reload();
  };
  return (
    <div class="card">
      <h3>Custom headers</h3>
      <Show loaded={loaded}>
        {({ headers, sensitive }) => {
          const rows: [string, string][] = [
            ...Object.entries(headers),
            ...sensitive.map((n): [string, string] => [n, '(hidden)']),
          ];
          return rows.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="headers" aria-label="Custom headers">
              {rows.map(([n, v]) => (
                <li key={n}>
                  <code>
                    {n}: {v}
                  </code>
                  {caps.manageEndpoint ? (
                    <Action label={`Remove ${n}`} run={() => change({ headers: {}, deleteHeaders: [n] })} />
                  ) : null}
                </li>
              ))}
            </ul>
          );
        }}
      </Show>
      {caps.manageEndpoint ? (
        <div class="row-actions">
          <Field label="Header name">
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Header value">
            <input value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </Field>
          <Action
            label="Add header"
            run={async () => {
              await change({ headers: { [name.trim()]: value } });
              setName('');
              setValue('');
            }}
          />
        </div>
      ) : null}
    </div>
  );
}

function SendExample({ api, appId, endpointId, link }: AppScope & { endpointId: string }) {
  const catalogue = useLoad(() => eventTypeNames(api), [api]);
  const [type, setType] = useState('');
  const [sent, setSent] = useState<MessageOut | null>(null);
  return (
    <div class="card">
      <h3>Send a test event</h3>
      <div class="row-actions">
        <Field label="Event type">
          <input
            list="event-type-names"
            value={type}
            placeholder="hookline.test"
            onInput={(e) => setType(e.currentTarget.value)}
          />
        </Field>
        <datalist id="event-type-names">
          {(catalogue.data ?? []).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <Action
          label="Send test event"
          kind="primary"
          run={async () =>
            setSent(
              await api.send<MessageOut>(
                'POST',
                `/app/${seg(appId)}/endpoint/${seg(endpointId)}/send-example`,
                {
                  eventType: type.trim() || 'hookline.test',
                  exampleIndex: 0,
                },
              ),
            )
          }
        />
      </div>
      {sent ? (
        <p role="status">
          Sent <a href={link(`/msgs/${seg(sent.id)}`)}>{sent.id}</a>.
        </p>
      ) : null}
    </div>
  );
}

export function EndpointView(scope: AppScope & { endpointId: string }) {
  const { api, appId, endpointId, caps, link } = scope;
  const [editing, setEditing] = useState(false);
  const base = `/app/${seg(appId)}/endpoint/${seg(endpointId)}`;
  const loaded = useLoad(async () => {
    const [endpoint, stats, attempts] = await Promise.all([
      api.get<EndpointOut>(base),
      api.get<StatsOut>(`${base}/stats`),
      api.get<ListOut<AttemptOut>>(`/app/${seg(appId)}/attempt/endpoint/${seg(endpointId)}`, { limit: 20 }),
    ]);
    return { endpoint, stats, attempts };
  }, [appId, endpointId]);
  return (
    <section>
      <Show loaded={loaded}>
        {({ endpoint, stats, attempts }) => (
          <>
            <h2 class="break">{endpoint.url}</h2>
            <dl class="facts">
              <dt>Id</dt>
              <dd>
                <code>{endpoint.id}</code>
              </dd>
              <dt>State</dt>
              <dd>
                <EndpointState ep={endpoint} />
              </dd>
              <dt>Breaker</dt>
              <dd>
                <Health stats={stats} />
              </dd>
              <dt>Deliveries</dt>
              <dd>
                {stats.success} delivered · {stats.fail} failed · {stats.pending + stats.sending} pending
              </dd>
              <dt>Event types</dt>
              <dd>{endpoint.filterTypes?.join(', ') || 'every event'}</dd>
              <dt>Channels</dt>
              <dd>{endpoint.channels?.join(', ') || 'every channel'}</dd>
              <dt>Description</dt>
              <dd>{endpoint.description || '—'}</dd>
            </dl>
            {caps.manageEndpoint ? (
              <div class="row-actions">
                <Action
                  label={endpoint.disabled ? 'Enable endpoint' : 'Disable endpoint'}
                  run={async () => {
                    await api.send('PATCH', base, { disabled: !endpoint.disabled });
                    loaded.reload();
                  }}
                />
                <button type="button" class="btn btn-secondary" onClick={() => setEditing(!editing)}>
                  {editing ? 'Cancel edit' : 'Edit endpoint'}
                </button>
                <Action
                  label="Delete endpoint"
                  kind="danger"
                  confirm="Delete this endpoint and its delivery history?"
                  run={async () => {
                    await api.send('DELETE', base);
                    go(link('/'));
                  }}
                />
              </div>
            ) : null}
            {editing ? (
              <EndpointForm
                api={api}
                appId={appId}
                endpoint={endpoint}
                onSaved={() => {
                  setEditing(false);
                  loaded.reload();
                }}
              />
            ) : null}
            <SecretBox {...scope} />
            <HeadersBox {...scope} />
            {caps.createAttempts ? <SendExample {...scope} /> : null}
            {caps.createAttempts ? <RecoverBox {...scope} /> : null}
            <div class="row">
              <h3>Recent attempts</h3>
              <button type="button" class="btn btn-secondary" onClick={loaded.reload}>
                Refresh
              </button>
            </div>
            <AttemptsTable attempts={attempts.data} link={link} />
          </>
        )}
      </Show>
    </section>
  );
}
