import { useState } from 'preact/hooks';
import { type AttemptOut, type ListOut, type MessageEndpointOut, type MessageOut, seg } from './api';
import type { AppScope } from './app-scope';
import { Action, Field, Pill, Show, Table, TextBlock, useLoad, when } from './components';

export function AttemptsTable({ attempts, link }: { attempts: AttemptOut[]; link: (p: string) => string }) {
  return (
    <Table
      columns={[
        { header: 'When', cell: (a) => when(a.timestamp) },
        {
          header: 'Status',
          cell: (a) => (
            <>
              <Pill text={a.statusText} />
              {a.triggerType === 1 ? <span class="muted"> manual</span> : null}
            </>
          ),
        },
        {
          header: 'Response',
          cell: (a) => (
            <>
              {a.responseStatusCode || '—'}
              {a.errorClass ? <span class="muted"> {a.errorClass}</span> : null}
            </>
          ),
        },
        { header: 'Duration', cell: (a) => `${a.responseDurationMs} ms` },
        {
          header: 'Attempt',
          cell: (a) => <a href={link(`/msgs/${seg(a.msgId)}/attempts/${seg(a.id)}`)}>{a.id}</a>,
        },
      ]}
      rows={attempts}
      rowKey={(a) => a.id}
      empty="No attempts yet."
    />
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
          <Table
            columns={[
              { header: 'When', cell: (m) => when(m.timestamp) },
              { header: 'Event type', cell: (m) => m.eventType },
              { header: 'Message', cell: (m) => <a href={link(`/msgs/${seg(m.id)}`)}>{m.id}</a> },
              {
                header: 'Channels / tags',
                cell: (m) => [...(m.channels ?? []), ...(m.tags ?? [])].join(', ') || '—',
              },
            ]}
            rows={list.data}
            rowKey={(m) => m.id}
            empty="No messages."
            paging={{ list, atStart: iterator === undefined, onPage: setIterator }}
          />
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
            <Table
              columns={[
                { header: 'Endpoint', cell: (d) => <a href={link(`/endpoints/${seg(d.id)}`)}>{d.url}</a> },
                { header: 'Status', cell: (d) => <Pill text={d.statusText} /> },
                { header: 'Next attempt', cell: (d) => when(d.nextAttempt) },
                caps.createAttempts && {
                  header: 'Action',
                  cell: (d) => (
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
                  ),
                },
              ]}
              rows={destinations.data}
              rowKey={(d) => d.id}
              empty="No endpoint took this message."
            />
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
