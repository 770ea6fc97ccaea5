import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Api, type AppOut, createApi, type ListOut, seg } from './api';
import { ALL_CAPS, AppRoutes } from './app-views';
import { ErrorNote, Field, Show, Table, useHashPath, useLoad, when } from './components';
import { EventTypePage, EventTypesPage } from './event-types';
import { OperationalPage } from './operational';
import { Overview } from './overview';
import './style.css';

/**
 * The operator dashboard. Its token (the API token typed in, or the session
 * token a sign-in link is traded for) lives in session storage, gone with the
 * tab, and travels as a bearer header. `hookline dashboard` prints a link with
 * a one-time code in the fragment (`#code=`): the page wipes it from the
 * address bar at once and trades it for a session token that expires in hours.
 */
const TOKEN_KEY = 'hookline.apiToken';
/** Dashboard session tokens (core/operator-session.ts) log out on sign-out; the API token cannot. */
const SESSION_PREFIX = 'hko_';

/** The fragment's one-time code, removed from the address bar (and so from history) before anything else. */
function takeCodeFromFragment(): string | null {
  const m = /^#code=([^&]+)/.exec(window.location.hash);
  if (!m?.[1]) return null;
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  return decodeURIComponent(m[1]);
}
const fragmentCode = takeCodeFromFragment();

/** Trades the code for a session token; the message to show when it cannot. */
async function exchangeCode(code: string): Promise<{ token: string } | { problem: string }> {
  const res = await fetch(
    new URL('api/v1/auth/dashboard-sign-in/exchange', new URL('./', window.location.href)),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code }),
      credentials: 'omit',
    },
  );
  const body = (await res.json().catch(() => ({}))) as { token?: string; code?: string; detail?: unknown };
  if (res.ok && typeof body.token === 'string') return { token: body.token };
  if (body.code === 'sign_in_code_invalid') {
    return {
      problem:
        'This sign-in link was already used or has expired. Run `hookline dashboard` for a new one, or sign in with the API token.',
    };
  }
  return { problem: `Sign-in failed: ${typeof body.detail === 'string' ? body.detail : res.statusText}` };
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
          <Table
            columns={[
              { header: 'Name', cell: (app) => <a href={`#/apps/${seg(app.id)}`}>{app.name}</a> },
              { header: 'Uid', cell: (app) => app.uid ?? '—' },
              { header: 'Id', cell: (app) => <code>{app.id}</code> },
              { header: 'Created', cell: (app) => when(app.createdAt) },
            ]}
            rows={list.data}
            rowKey={(app) => app.id}
            paging={{ list, atStart: iterator === undefined, onPage: setIterator }}
          />
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
  const [token, setToken] = useState<string | null>(sessionStorage.getItem(TOKEN_KEY));
  const [problem, setProblem] = useState<string | null>(null);
  const [exchanging, setExchanging] = useState(fragmentCode !== null);
  const path = useHashPath();
  useEffect(() => {
    if (fragmentCode === null) return;
    void exchangeCode(fragmentCode).then((r) => {
      if ('token' in r) {
        sessionStorage.setItem(TOKEN_KEY, r.token);
        setProblem(null);
        setToken(r.token);
      } else setProblem(r.problem);
      setExchanging(false);
    });
  }, []);
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
  if (exchanging) {
    return (
      <main class="signin">
        <h1>Hookline</h1>
        <p role="status">Signing in…</p>
      </main>
    );
  }
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
            // A session token is revoked on the server too, so a copy of it opens nothing after.
            if (token?.startsWith(SESSION_PREFIX)) void api.send('POST', '/auth/logout').catch(() => {});
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
