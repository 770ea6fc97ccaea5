import {
  type Api,
  type AppOut,
  type DeliveryStatsOut,
  type EndpointOut,
  type ExhaustedOut,
  type ListOut,
  type QueueStatsOut,
  type StatsOut,
  seg,
} from './api';
import { DeliveryChart } from './charts';
import { Pill, Show, Table, useLoad, when } from './components';

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
  /** Its deliveries that ran out of retries in the last day, when any did. */
  exhausted: ExhaustedOut | undefined;
}
/** How urgent an endpoint looks: breaker open first, then disabled, then out of retries lately, then by failures. */
const urgency = (h: EndpointHealth) =>
  (h.stats?.breaker.open ? 4_000_000 : 0) +
  (h.endpoint.disabled ? 2_000_000 : 0) +
  (h.exhausted ? 1_000_000 + h.exhausted.deliveries : 0) +
  (h.stats?.fail ?? 0);

/** "42 s", "7 min", "3 h", "2 d": how long the oldest due delivery has waited. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** An endpoint the first pages did not hold (it ran out of retries): read on its own. */
async function healthOf(api: Api, e: ExhaustedOut): Promise<EndpointHealth | undefined> {
  const base = `/app/${seg(e.appId)}`;
  try {
    const [app, endpoint, stats] = await Promise.all([
      api.get<AppOut>(base),
      api.get<EndpointOut>(`${base}/endpoint/${seg(e.endpointId)}`),
      api.get<StatsOut>(`${base}/endpoint/${seg(e.endpointId)}/stats`),
    ]);
    return { app, endpoint, stats, exhausted: e };
  } catch {
    return undefined; // deleted since: nothing to act on
  }
}

/**
 * The overview: the whole queue from GET /stats/queue (backlog by state, the
 * oldest due delivery, endpoints out of retries in the last day), and the
 * endpoints of the first pages (50 apps, 50 endpoints each) with their
 * stats, failing first; endpoints out of retries beyond those pages are
 * read one by one (at most the 50 the route names).
 */
export function Overview({ api }: { api: Api }) {
  const loaded = useLoad(async () => {
    const [queue, apps] = await Promise.all([
      api.get<QueueStatsOut>('/stats/queue', { limit: 50 }),
      api.get<ListOut<AppOut>>('/app', { limit: 50 }),
    ]);
    const exhausted = new Map(queue.exhausted.data.map((e) => [e.endpointId, e]));
    const rows: EndpointHealth[] = [];
    for (const app of apps.data) {
      const eps = await api.get<ListOut<EndpointOut>>(`/app/${seg(app.id)}/endpoint`, { limit: 50 });
      const stats = await Promise.all(
        eps.data.map((ep) =>
          api.get<StatsOut>(`/app/${seg(app.id)}/endpoint/${seg(ep.id)}/stats`).catch(() => undefined),
        ),
      );
      for (const [i, endpoint] of eps.data.entries())
        rows.push({ app, endpoint, stats: stats[i], exhausted: exhausted.get(endpoint.id) });
    }
    const seen = new Set(rows.map((r) => r.endpoint.id));
    const missing = queue.exhausted.data.filter((e) => !seen.has(e.endpointId));
    for (const h of await Promise.all(missing.map((e) => healthOf(api, e)))) if (h) rows.push(h);
    rows.sort((a, b) => urgency(b) - urgency(a));
    return { queue, apps, rows };
  }, [api]);
  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      <DeliveryCharts api={api} />
      <Show loaded={loaded}>
        {({ queue, apps, rows }) => {
          const d = queue.depth;
          const oldest = queue.oldestDueAt;
          return (
            <>
              <ul class="tiles" aria-label="Backlog by state">
                <li class="tile">
                  <span class="tile-n">{d.due}</span> due now
                </li>
                <li class="tile">
                  <span class="tile-n">
                    {oldest ? ageText(Date.parse(queue.at) - Date.parse(oldest)) : '—'}
                  </span>{' '}
                  oldest due delivery
                </li>
                <li class="tile">
                  <span class="tile-n">{d.scheduled}</span> retries scheduled
                </li>
                <li class="tile">
                  <span class="tile-n">{d.inFlight}</span> sending
                </li>
                <li class="tile">
                  <span class="tile-n">{d.parked}</span> held back
                </li>
                <li class="tile">
                  <span class="tile-n">{d.failed}</span> failed for good
                </li>
                <li class="tile">
                  <span class="tile-n">{queue.endpointsBreakerOpen}</span> breakers open
                </li>
                <li class="tile">
                  <span class="tile-n">{queue.endpointsDisabled}</span> endpoints disabled
                </li>
              </ul>
              {!apps.done ? <p class="muted">Showing the first 50 applications.</p> : null}
              <h3 id="failing-title">Endpoints, failing first</h3>
              <Table
                labelledBy="failing-title"
                columns={[
                  {
                    header: 'Application',
                    cell: (r) => <a href={`#/apps/${seg(r.app.id)}`}>{r.app.name}</a>,
                  },
                  {
                    header: 'Endpoint',
                    cell: (r) => (
                      <a href={`#/apps/${seg(r.app.id)}/endpoints/${seg(r.endpoint.id)}`}>{r.endpoint.url}</a>
                    ),
                  },
                  {
                    header: 'State',
                    cell: ({ endpoint }) => (
                      <>
                        <Pill text={endpoint.disabled ? 'disabled' : 'enabled'} />
                        {endpoint.disabledReason ? (
                          <span class="muted"> {endpoint.disabledReason}</span>
                        ) : null}
                      </>
                    ),
                  },
                  {
                    header: 'Breaker',
                    cell: ({ stats }) => (
                      <>
                        <Pill text={stats?.breaker.open ? 'open' : 'closed'} />
                        {stats?.breaker.open ? (
                          <span class="muted"> next probe {when(stats.breaker.nextProbeAt)}</span>
                        ) : null}
                      </>
                    ),
                  },
                  {
                    header: 'Out of retries (24 h)',
                    cell: ({ exhausted }) =>
                      exhausted ? (
                        <>
                          {exhausted.deliveries} <span class="muted">last {when(exhausted.lastAt)}</span>
                        </>
                      ) : (
                        '—'
                      ),
                  },
                  { header: 'Failed', cell: ({ stats }) => stats?.fail ?? '—' },
                  { header: 'Pending', cell: ({ stats }) => (stats ? stats.pending + stats.sending : '—') },
                ]}
                rows={rows}
                rowKey={(r) => r.endpoint.id}
                empty={
                  <>
                    No endpoints yet. <a href="#/apps">Create an application</a>.
                  </>
                }
              />
            </>
          );
        }}
      </Show>
    </section>
  );
}
