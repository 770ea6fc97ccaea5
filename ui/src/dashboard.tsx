import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type Api, type AppOut, createApi, type EndpointOut, type ListOut, type StatsOut, seg } from './api';
import { ALL_CAPS, AppRoutes } from './app-views';
import { ErrorNote, Field, Pager, Pill, Show, useHashPath, useLoad, when } from './components';
import './style.css';

/**
 * The operator dashboard. The API token lives in session storage (gone with
 * the tab) and travels as a bearer header; `hookline dashboard` prints a link
 * with it in the fragment (`#token=`), which is moved here and wiped from the
 * address bar at once.
 */
const TOKEN_KEY = 'hookline.apiToken';

function takeTokenFromFragment(): void {
  const m = /^#token=([^&]+)/.exec(window.location.hash);
  if (!m?.[1]) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
}

function SignIn({ onToken, problem }: { onToken: (t: string) => void; problem: string | null }) {
  const [token, setToken] = useState('');
  return (
    <main class="signin">
      <h1>Hookline</h1>
      <form
        class="card form"
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          onToken(token.trim());
        }}
      >
        <Field label="API token" hint="kept in this tab only; `hookline dashboard` prints a sign-in link">
          <input
            type="password"
            required
            autoComplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </Field>
        {problem ? (
          <p class="error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" class="btn btn-primary">
          Sign in
        </button>
      </form>
    </main>
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
function Overview({ api }: { api: Api }) {
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
              <h3>Endpoints, failing first</h3>
              {rows.length === 0 ? (
                <p class="muted">
                  No endpoints yet. <a href="#/apps">Create an application</a>.
                </p>
              ) : (
                <table>
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

function Apps({ api }: { api: Api }) {
  const [iterator, setIterator] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const loaded = useLoad(() => api.get<ListOut<AppOut>>('/app', { limit: 50, iterator }), [api, iterator]);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const app = await api.send<AppOut>('POST', '/app', { name, uid: uid.trim() || null });
      window.location.hash = `/apps/${seg(app.id)}`;
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="apps-title">
      <h2 id="apps-title">Applications</h2>
      <form class="card form inline" aria-label="Create application" onSubmit={create}>
        <Field label="Name">
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Uid (optional)">
          <input value={uid} onInput={(e) => setUid(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="btn btn-primary">
          Create application
        </button>
        <ErrorNote error={error} />
      </form>
      <Show loaded={loaded}>
        {(list) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Uid</th>
                  <th scope="col">Id</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((app) => (
                  <tr key={app.id}>
                    <td>
                      <a href={`#/apps/${seg(app.id)}`}>{app.name}</a>
                    </td>
                    <td>{app.uid ?? '—'}</td>
                    <td>
                      <code>{app.id}</code>
                    </td>
                    <td>{when(app.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager list={list} atStart={iterator === undefined} onPage={setIterator} />
          </>
        )}
      </Show>
    </section>
  );
}

function AppPage({ api, appId, rest }: { api: Api; appId: string; rest: string }) {
  const app = useLoad(() => api.get<AppOut>(`/app/${seg(appId)}`), [api, appId]);
  const base = `#/apps/${seg(appId)}`;
  const scope = useMemo(
    () => ({ api, appId, caps: ALL_CAPS, link: (p: string) => `${base}${p === '/' ? '' : p}` }),
    [api, appId, base],
  );
  return (
    <>
      <nav class="crumbs" aria-label="Application">
        <a href="#/apps">Applications</a> / <a href={base}>{app.data?.name ?? appId}</a>
        <span class="tabs">
          <a href={base} aria-current={rest.startsWith('/msgs') ? undefined : 'page'}>
            Endpoints
          </a>
          <a href={`${base}/msgs`} aria-current={rest.startsWith('/msgs') ? 'page' : undefined}>
            Messages
          </a>
        </span>
      </nav>
      <ErrorNote error={app.error} />
      <AppRoutes scope={scope} path={rest} />
    </>
  );
}

function Dashboard() {
  takeTokenFromFragment();
  const [token, setToken] = useState<string | null>(sessionStorage.getItem(TOKEN_KEY));
  const [problem, setProblem] = useState<string | null>(null);
  const path = useHashPath();
  const api = useMemo(
    () =>
      token === null
        ? null
        : createApi(token, (e) => {
            sessionStorage.removeItem(TOKEN_KEY);
            setProblem(`Signed out: ${e.message}`);
            setToken(null);
          }),
    [token],
  );
  if (api === null) {
    return (
      <SignIn
        problem={problem}
        onToken={(t) => {
          sessionStorage.setItem(TOKEN_KEY, t);
          setProblem(null);
          setToken(t);
        }}
      />
    );
  }
  const parts = path.split('/').filter(Boolean);
  let page = <Overview api={api} />;
  if (parts[0] === 'apps' && parts[1]) {
    const rest = `/${parts.slice(2).join('/')}`;
    page = <AppPage api={api} appId={decodeURIComponent(parts[1])} rest={rest} />;
  } else if (parts[0] === 'apps') page = <Apps api={api} />;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          Hookline
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={parts.length === 0 ? 'page' : undefined}>
            Overview
          </a>
          <a href="#/apps" aria-current={parts[0] === 'apps' ? 'page' : undefined}>
            Applications
          </a>
        </nav>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => {
            sessionStorage.removeItem(TOKEN_KEY);
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </>
  );
}

const root = document.getElementById('root');
if (root) render(<Dashboard />, root);
