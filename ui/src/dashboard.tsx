import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type Api, type AppOut, createApi, type ListOut, seg } from './api';
import { ALL_CAPS, AppRoutes } from './app-views';
import { ErrorNote, Field, Pager, Show, useHashPath, useLoad, when } from './components';
import { EventTypePage, EventTypesPage } from './event-types';
import { OperationalPage } from './operational';
import { Overview } from './overview';
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
  else if (parts[0] === 'event-types' && parts[1])
    page = <EventTypePage api={api} name={decodeURIComponent(parts[1])} key={parts[1]} />;
  else if (parts[0] === 'event-types') page = <EventTypesPage api={api} />;
  else if (parts[0] === 'operational') page = <OperationalPage api={api} />;
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
          <a href="#/event-types" aria-current={parts[0] === 'event-types' ? 'page' : undefined}>
            Event types
          </a>
          <a href="#/operational" aria-current={parts[0] === 'operational' ? 'page' : undefined}>
            Operational webhooks
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
