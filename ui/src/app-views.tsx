import { useState } from 'preact/hooks';
import {
  type Api,
  type AttemptOut,
  type EndpointOut,
  type EventTypeOut,
  type ListOut,
  type MessageEndpointOut,
  type MessageOut,
  type StatsOut,
  seg,
} from './api';
import { Action, ErrorNote, Field, listOf, Pager, Pill, Show, TextBlock, useLoad, when } from './components';

/** What the person in front of the page may do; the API enforces the same, this only hides controls. */
export interface Caps {
  manageEndpoint: boolean;
  viewSecret: boolean;
  rotateSecret: boolean;
  createAttempts: boolean;
}
export const ALL_CAPS: Caps = {
  manageEndpoint: true,
  viewSecret: true,
  rotateSecret: true,
  createAttempts: true,
};

/** The pages of one application, shared by the dashboard and the portal; `link` builds their addresses. */
export interface AppScope {
  api: Api;
  appId: string;
  caps: Caps;
  link: (path: string) => string;
}

const go = (href: string) => {
  window.location.hash = href.replace(/^#/, '');
};

async function eventTypeNames(api: Api): Promise<string[]> {
  const list = await api.get<ListOut<EventTypeOut>>('/event-type', { limit: 250 });
  return list.data.filter((e) => !e.archived).map((e) => e.name);
}

function Health({ stats }: { stats: StatsOut | undefined }) {
  if (!stats) return <span class="muted">…</span>;
  const b = stats.breaker;
  return (
    <span>
      <Pill text={b.open ? 'open' : 'closed'} />
      {b.open ? <span class="muted"> next probe {when(b.nextProbeAt)}</span> : null}
      {b.consecutiveFailures > 0 ? (
        <span class="muted"> · {b.consecutiveFailures} failures in a row</span>
      ) : null}
    </span>
  );
}

function EndpointState({ ep }: { ep: EndpointOut }) {
  return (
    <span>
      <Pill text={ep.disabled ? 'disabled' : 'enabled'} />
      {ep.disabledReason ? <span class="muted"> {ep.disabledReason}</span> : null}
    </span>
  );
}

export function EndpointsView({ api, appId, caps, link }: AppScope) {
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const loaded = useLoad(async () => {
    const list = await api.get<ListOut<EndpointOut>>(`/app/${seg(appId)}/endpoint`, { limit: 50, iterator });
    const stats = await Promise.all(
      list.data.map((ep) =>
        api.get<StatsOut>(`/app/${seg(appId)}/endpoint/${seg(ep.id)}/stats`).catch(() => undefined),
      ),
    );
    return { list, stats };
  }, [appId, iterator]);
  return (
    <section aria-labelledby="endpoints-title">
      <div class="row">
        <h2 id="endpoints-title">Endpoints</h2>
        {caps.manageEndpoint ? (
          <a class="btn btn-primary" href={link('/new-endpoint')}>
            Add endpoint
          </a>
        ) : null}
      </div>
      <Show loaded={loaded}>
        {({ list, stats }) =>
          list.data.length === 0 ? (
            <p class="muted">No endpoints yet.</p>
          ) : (
            <>
              <table>
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">State</th>
                    <th scope="col">Breaker</th>
                    <th scope="col">Delivered</th>
                    <th scope="col">Failed</th>
                    <th scope="col">Pending</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((ep, i) => (
                    <tr key={ep.id}>
                      <td>
                        <a href={link(`/endpoints/${seg(ep.id)}`)}>{ep.url}</a>
                        {ep.description ? <div class="muted">{ep.description}</div> : null}
                      </td>
                      <td>
                        <EndpointState ep={ep} />
                      </td>
                      <td>
                        <Health stats={stats[i]} />
                      </td>
                      <td>{stats[i]?.success ?? '—'}</td>
                      <td>{stats[i]?.fail ?? '—'}</td>
                      <td>{stats[i] ? stats[i].pending + stats[i].sending : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager list={list} atStart={iterator === undefined} onPage={setIterator} />
            </>
          )
        }
      </Show>
    </section>
  );
}

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

function AttemptsTable({ attempts, link }: { attempts: AttemptOut[]; link: (p: string) => string }) {
  if (attempts.length === 0) return <p class="muted">No attempts yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Status</th>
          <th scope="col">Response</th>
          <th scope="col">Duration</th>
          <th scope="col">Attempt</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={a.id}>
            <td>{when(a.timestamp)}</td>
            <td>
              <Pill text={a.statusText} />
              {a.triggerType === 1 ? <span class="muted"> manual</span> : null}
            </td>
            <td>
              {a.responseStatusCode || '—'}
              {a.errorClass ? <span class="muted"> {a.errorClass}</span> : null}
            </td>
            <td>{a.responseDurationMs} ms</td>
            <td>
              <a href={link(`/msgs/${seg(a.msgId)}/attempts/${seg(a.id)}`)}>{a.id}</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
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

interface MessageFilters {
  eventType: string;
  channel: string;
  tag: string;
  after: string;
  before: string;
}
const NO_FILTERS: MessageFilters = { eventType: '', channel: '', tag: '', after: '', before: '' };
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function MessagesView({ api, appId, link }: AppScope) {
  const [draft, setDraft] = useState<MessageFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<MessageFilters>(NO_FILTERS);
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const loaded = useLoad(
    () =>
      api.get<ListOut<MessageOut>>(`/app/${seg(appId)}/msg`, {
        limit: 25,
        iterator,
        with_content: false,
        event_types: filters.eventType ? [filters.eventType] : undefined,
        channel: filters.channel,
        tag: filters.tag,
        after: isoOf(filters.after),
        before: isoOf(filters.before),
      }),
    [appId, iterator, filters],
  );
  const set = (k: keyof MessageFilters) => (e: { currentTarget: HTMLInputElement }) =>
    setDraft({ ...draft, [k]: e.currentTarget.value });
  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <form
        class="filters"
        aria-label="Filter messages"
        onSubmit={(e) => {
          e.preventDefault();
          setIterator(undefined);
          setFilters(draft);
        }}
      >
        <Field label="Event type">
          <input value={draft.eventType} onInput={set('eventType')} />
        </Field>
        <Field label="Channel">
          <input value={draft.channel} onInput={set('channel')} />
        </Field>
        <Field label="Tag">
          <input value={draft.tag} onInput={set('tag')} />
        </Field>
        <Field label="After">
          <input type="datetime-local" value={draft.after} onInput={set('after')} />
        </Field>
        <Field label="Before">
          <input type="datetime-local" value={draft.before} onInput={set('before')} />
        </Field>
        <button type="submit" class="btn btn-primary">
          Filter
        </button>
      </form>
      <Show loaded={loaded}>
        {(list) => (
          <>
            {list.data.length === 0 ? (
              <p class="muted">No messages.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event type</th>
                    <th scope="col">Message</th>
                    <th scope="col">Channels / tags</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((m) => (
                    <tr key={m.id}>
                      <td>{when(m.timestamp)}</td>
                      <td>{m.eventType}</td>
                      <td>
                        <a href={link(`/msgs/${seg(m.id)}`)}>{m.id}</a>
                      </td>
                      <td>{[...(m.channels ?? []), ...(m.tags ?? [])].join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager list={list} atStart={iterator === undefined} onPage={setIterator} />
          </>
        )}
      </Show>
    </section>
  );
}

export function MessageView({ api, appId, msgId, caps, link }: AppScope & { msgId: string }) {
  const loaded = useLoad(async () => {
    const [message, destinations, attempts] = await Promise.all([
      api.get<MessageOut>(`/app/${seg(appId)}/msg/${seg(msgId)}`),
      api.get<ListOut<MessageEndpointOut>>(`/app/${seg(appId)}/msg/${seg(msgId)}/endpoint`, { limit: 250 }),
      api.get<ListOut<AttemptOut>>(`/app/${seg(appId)}/attempt/msg/${seg(msgId)}`, { limit: 100 }),
    ]);
    return { message, destinations, attempts };
  }, [appId, msgId]);
  return (
    <section>
      <Show loaded={loaded}>
        {({ message, destinations, attempts }) => (
          <>
            <h2>
              Message <code>{message.id}</code>
            </h2>
            <dl class="facts">
              <dt>Event type</dt>
              <dd>{message.eventType}</dd>
              <dt>Sent</dt>
              <dd>{when(message.timestamp)}</dd>
              <dt>Event id</dt>
              <dd>{message.eventId ?? '—'}</dd>
              <dt>Channels</dt>
              <dd>{message.channels?.join(', ') || '—'}</dd>
              <dt>Tags</dt>
              <dd>{message.tags?.join(', ') || '—'}</dd>
            </dl>
            <h3>Payload</h3>
            <TextBlock value={message.payload} label="Payload" />
            <div class="row">
              <h3>Endpoints</h3>
              <button type="button" class="btn btn-secondary" onClick={loaded.reload}>
                Refresh
              </button>
            </div>
            {destinations.data.length === 0 ? (
              <p class="muted">No endpoint took this message.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Status</th>
                    <th scope="col">Next attempt</th>
                    {caps.createAttempts ? <th scope="col">Action</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {destinations.data.map((d) => (
                    <tr key={d.id}>
                      <td>
                        <a href={link(`/endpoints/${seg(d.id)}`)}>{d.url}</a>
                      </td>
                      <td>
                        <Pill text={d.statusText} />
                      </td>
                      <td>{when(d.nextAttempt)}</td>
                      {caps.createAttempts ? (
                        <td>
                          <Action
                            label="Resend"
                            run={async () => {
                              await api.send(
                                'POST',
                                `/app/${seg(appId)}/msg/${seg(msgId)}/endpoint/${seg(d.id)}/resend`,
                              );
                              loaded.reload();
                            }}
                          />
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>Attempts</h3>
            <AttemptsTable attempts={attempts.data} link={link} />
          </>
        )}
      </Show>
    </section>
  );
}

export function AttemptView({
  api,
  appId,
  msgId,
  attemptId,
  link,
}: AppScope & { msgId: string; attemptId: string }) {
  const loaded = useLoad(async () => {
    const [attempt, message] = await Promise.all([
      api.get<AttemptOut>(`/app/${seg(appId)}/msg/${seg(msgId)}/attempt/${seg(attemptId)}`),
      api.get<MessageOut>(`/app/${seg(appId)}/msg/${seg(msgId)}`),
    ]);
    return { attempt, message };
  }, [appId, msgId, attemptId]);
  return (
    <section>
      <Show loaded={loaded}>
        {({ attempt, message }) => (
          <>
            <h2>
              Attempt <code>{attempt.id}</code>
            </h2>
            <dl class="facts">
              <dt>Status</dt>
              <dd>
                <Pill text={attempt.statusText} /> {attempt.triggerType === 1 ? 'manual' : 'scheduled'}
              </dd>
              <dt>When</dt>
              <dd>{when(attempt.timestamp)}</dd>
              <dt>Message</dt>
              <dd>
                <a href={link(`/msgs/${seg(message.id)}`)}>{message.id}</a> ({message.eventType})
              </dd>
              <dt>Endpoint</dt>
              <dd>
                <a href={link(`/endpoints/${seg(attempt.endpointId)}`)}>{attempt.endpointId}</a>
              </dd>
            </dl>
            <div class="split">
              <div>
                <h3>Request</h3>
                <TextBlock
                  label="Request"
                  value={[
                    `POST ${attempt.url}`,
                    'content-type: application/json',
                    `webhook-id: ${message.id}`,
                    `webhook-timestamp: ${Math.floor(new Date(attempt.timestamp).getTime() / 1000)} (about)`,
                    'webhook-signature: (redacted)',
                  ].join('\n')}
                />
                <TextBlock label="Request body" value={message.payload} />
              </div>
              <div>
                <h3>Response</h3>
                <dl class="facts">
                  <dt>Status code</dt>
                  <dd>{attempt.responseStatusCode || 'no response'}</dd>
                  <dt>Duration</dt>
                  <dd>{attempt.responseDurationMs} ms</dd>
                  <dt>Error class</dt>
                  <dd>{attempt.errorClass ?? '—'}</dd>
                </dl>
                <TextBlock label="Response body" value={attempt.response || '(empty)'} />
              </div>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

/** The routes under one application, shared by both pages: `/`, `/endpoints/x`, `/msgs`, `/msgs/x`, ... */
export function AppRoutes({ scope, path }: { scope: AppScope; path: string }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c, d] = parts;
  if (a === 'new-endpoint' && scope.caps.manageEndpoint) return <NewEndpointView {...scope} />;
  if (a === 'endpoints' && b) return <EndpointView {...scope} endpointId={b} key={b} />;
  if (a === 'msgs' && b && c === 'attempts' && d)
    return <AttemptView {...scope} msgId={b} attemptId={d} key={d} />;
  if (a === 'msgs' && b) return <MessageView {...scope} msgId={b} key={b} />;
  if (a === 'msgs') return <MessagesView {...scope} />;
  return <EndpointsView {...scope} />;
}
