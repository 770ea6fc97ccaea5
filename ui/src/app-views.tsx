import { useState } from 'preact/hooks';
import { type DeliveryStatsOut, type EndpointOut, type ListOut, type StatsOut, seg } from './api';
import { type AppScope, EndpointState, Health } from './app-scope';
import { Sparkline } from './charts';
import { Pager, Show, useLoad } from './components';
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
        {({ list, stats, days }) =>
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
                    {caps.operator ? <th scope="col">Success, last day</th> : null}
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
                      {caps.operator ? (
                        <td>
                          {days[i] ? (
                            <Sparkline buckets={days[i]} label={`Success rate of ${ep.url}, last day`} />
                          ) : (
                            '—'
                          )}
                        </td>
                      ) : null}
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
