import {
  type Api,
  type AppOut,
  type DeliveryStatsOut,
  type EndpointOut,
  type ListOut,
  type StatsOut,
  seg,
} from './api';
import { DeliveryChart } from './charts';
import { Pill, Show, useLoad, when } from './components';

/** Attempts over the last hour (by the minute) and the last day (by the hour), from GET /stats/deliveries. */
function DeliveryCharts({ api }: { api: Api }) {
  const loaded = useLoad(
    () =>
      Promise.all([
        api.get<DeliveryStatsOut>('/stats/deliveries', { bucket: 'minute' }),
        api.get<DeliveryStatsOut>('/stats/deliveries', { bucket: 'hour' }),
      ]),
    [api],
  );
  return (
    <Show loaded={loaded}>
      {([hour, day]) => (
        <div class="charts">
          <DeliveryChart title="Last hour" buckets={hour.data} unit="minute" />
          <DeliveryChart title="Last day" buckets={day.data} unit="hour" />
        </div>
      )}
    </Show>
  );
}

interface EndpointHealth {
  app: AppOut;
  endpoint: EndpointOut;
  stats: StatsOut | undefined;
}
/** How urgent an endpoint looks: breaker open first, then disabled, then by failures. */
const urgency = (h: EndpointHealth) =>
  (h.stats?.breaker.open ? 2_000_000 : 0) + (h.endpoint.disabled ? 1_000_000 : 0) + (h.stats?.fail ?? 0);

/** The overview reads the first pages only (50 apps, 50 endpoints each), each endpoint's stats one count each. */
export function Overview({ api }: { api: Api }) {
  const loaded = useLoad(async () => {
    const apps = await api.get<ListOut<AppOut>>('/app', { limit: 50 });
    const rows: EndpointHealth[] = [];
    for (const app of apps.data) {
      const eps = await api.get<ListOut<EndpointOut>>(`/app/${seg(app.id)}/endpoint`, { limit: 50 });
      const stats = await Promise.all(
        eps.data.map((ep) =>
          api.get<StatsOut>(`/app/${seg(app.id)}/endpoint/${seg(ep.id)}/stats`).catch(() => undefined),
        ),
      );
      for (const [i, endpoint] of eps.data.entries()) rows.push({ app, endpoint, stats: stats[i] });
    }
    rows.sort((a, b) => urgency(b) - urgency(a));
    return { apps, rows };
  }, [api]);
  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      <DeliveryCharts api={api} />
      <Show loaded={loaded}>
        {({ apps, rows }) => {
          const total = (k: 'success' | 'fail' | 'pending' | 'sending' | 'canceled') =>
            rows.reduce((n, r) => n + (r.stats?.[k] ?? 0), 0);
          const open = rows.filter((r) => r.stats?.breaker.open).length;
          const disabled = rows.filter((r) => r.endpoint.disabled).length;
          return (
            <>
              <ul class="tiles" aria-label="Backlog by state">
                <li class="tile">
                  <span class="tile-n">{total('pending')}</span> pending
                </li>
                <li class="tile">
                  <span class="tile-n">{total('sending')}</span> sending
                </li>
                <li class="tile">
                  <span class="tile-n">{total('fail')}</span> failed
                </li>
                <li class="tile">
                  <span class="tile-n">{total('success')}</span> delivered
                </li>
                <li class="tile">
                  <span class="tile-n">{open}</span> breakers open
                </li>
                <li class="tile">
                  <span class="tile-n">{disabled}</span> endpoints disabled
                </li>
              </ul>
              {!apps.done ? <p class="muted">Showing the first 50 applications.</p> : null}
              <h3 id="failing-title">Endpoints, failing first</h3>
              {rows.length === 0 ? (
                <p class="muted">
                  No endpoints yet. <a href="#/apps">Create an application</a>.
                </p>
              ) : (
                <table aria-labelledby="failing-title">
                  <thead>
                    <tr>
                      <th scope="col">Application</th>
                      <th scope="col">Endpoint</th>
                      <th scope="col">State</th>
                      <th scope="col">Breaker</th>
                      <th scope="col">Failed</th>
                      <th scope="col">Pending</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map(({ app, endpoint, stats }) => (
                      <tr key={endpoint.id}>
                        <td>
                          <a href={`#/apps/${seg(app.id)}`}>{app.name}</a>
                        </td>
                        <td>
                          <a href={`#/apps/${seg(app.id)}/endpoints/${seg(endpoint.id)}`}>{endpoint.url}</a>
                        </td>
                        <td>
                          <Pill text={endpoint.disabled ? 'disabled' : 'enabled'} />
                          {endpoint.disabledReason ? (
                            <span class="muted"> {endpoint.disabledReason}</span>
                          ) : null}
                        </td>
                        <td>
                          <Pill text={stats?.breaker.open ? 'open' : 'closed'} />
                          {stats?.breaker.open ? (
                            <span class="muted"> next probe {when(stats.breaker.nextProbeAt)}</span>
                          ) : null}
                        </td>
                        <td>{stats?.fail ?? '—'}</td>
                        <td>{stats ? stats.pending + stats.sending : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}
