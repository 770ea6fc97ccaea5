import { useState } from 'preact/hooks';
import { type DeliveryStatsOut, type EndpointOut, type ListOut, type StatsOut, seg } from './api';
import { type AppScope, EndpointState, Health } from './app-scope';
import { Sparkline } from './charts';
import { Show, Table, useLoad } from './components';
import { NewEndpointView } from './endpoint-form';
import { EndpointView } from './endpoint-view';
import { AttemptView, MessagesView, MessageView } from './message-views';

export { ALL_CAPS, type AppScope, type Caps } from './app-scope';

export function EndpointsView({ api, appId, caps, link }: AppScope) {
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const loaded = useLoad(async () => {
    const list = await api.get<ListOut<EndpointOut>>(`/app/${seg(appId)}/endpoint`, { limit: 50, iterator });
    const stats = await Promise.all(
      list.data.map((ep) =>
        api.get<StatsOut>(`/app/${seg(appId)}/endpoint/${seg(ep.id)}/stats`).catch(() => undefined),
      ),
    );
    // The last day's success rate by the hour, per endpoint (operator only: GET /stats/deliveries).
    const days = caps.operator
      ? await Promise.all(
          list.data.map((ep) =>
            api
              .get<DeliveryStatsOut>('/stats/deliveries', {
                bucket: 'hour',
                app_id: appId,
                endpoint_id: ep.id,
              })
              .then((d) => d.data)
              .catch(() => undefined),
          ),
        )
      : [];
    return { list, stats, days };
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
        {({ list, stats, days }) => (
          <Table
            columns={[
              {
                header: 'URL',
                cell: (ep) => (
                  <>
                    <a href={link(`/endpoints/${seg(ep.id)}`)}>{ep.url}</a>
                    {ep.description ? <div class="muted">{ep.description}</div> : null}
                  </>
                ),
              },
              { header: 'State', cell: (ep) => <EndpointState ep={ep} /> },
              { header: 'Breaker', cell: (_, i) => <Health stats={stats[i]} /> },
              caps.operator && {
                header: 'Success, last day',
                cell: (ep, i) => {
                  const day = days[i];
                  return day ? (
                    <Sparkline buckets={day} label={`Success rate of ${ep.url}, last day`} />
                  ) : (
                    '—'
                  );
                },
              },
              { header: 'Delivered', cell: (_, i) => stats[i]?.success ?? '—' },
              { header: 'Failed', cell: (_, i) => stats[i]?.fail ?? '—' },
              {
                header: 'Pending',
                cell: (_, i) => {
                  const st = stats[i];
                  return st ? st.pending + st.sending : '—';
                },
              },
            ]}
            rows={list.data}
            rowKey={(ep) => ep.id}
            empty="No endpoints yet."
            paging={{ list, atStart: iterator === undefined, onPage: setIterator }}
          />
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
