import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, type PortalTheme, type Session } from './api';
import { type AppScope, AppRoutes, type Caps } from './app-views';
import { ErrorNote, useHashPath, useLoad } from './components';
import './style.css';

/**
 * The app portal an operator embeds for a customer: one application, what its
 * token's capabilities allow (the API enforces them; hidden controls are a
 * courtesy). The token arrives in the fragment (`/portal#key=...`), is kept
 * for this tab and wiped from the address bar.
 */
const KEY = 'hookline.portalKey';

function takeKeyFromFragment(): void {
  const m = /^#key=([^&]+)/.exec(window.location.hash);
  if (!m?.[1]) return;
  sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
}

/**
 * The portal's look, `theme` (dark|light), `accent` (#RRGGBB) and `logo`
 * (https), from two places: the link's access options (`portalTheme` on
 * app-portal-access, read from the session) and the query of the embedding
 * page (`?theme=dark&accent=%23RRGGBB&logo=https://...`), which overrides
 * them setting by setting. Anything malformed is ignored. The logo is only
 * ever an https address in an <img> (no script runs from an image; the page's
 * CSP allows https images on the portal alone); `javascript:`, `data:` and
 * the like are dropped.
 */
function queryTheme(): PortalTheme {
  const q = new URLSearchParams(window.location.search);
  const look: PortalTheme = {};
  const theme = q.get('theme');
  if (theme === 'dark' || theme === 'light') look.theme = theme;
  const accent = q.get('accent');
  if (accent && /^#?[0-9a-fA-F]{6}$/.test(accent))
    look.accent = accent.startsWith('#') ? accent : `#${accent}`;
  const logo = q.get('logo');
  if (logo) look.logo = logo;
  return look;
}

/** Sets the page's colours; returns the logo to show, if any is safe. */
function applyTheme(look: PortalTheme): string | null {
  if (look.theme) document.documentElement.dataset.theme = look.theme;
  if (look.accent && /^#[0-9a-fA-F]{6}$/.test(look.accent)) {
    document.documentElement.style.setProperty('--accent', look.accent);
  }
  return safeLogo(look.logo ?? null);
}

export function safeLogo(text: string | null): string | null {
  if (!text || text.length > 2048) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : null;
  } catch {
    return null;
  }
}

function capsOf(session: Extract<Session, { kind: 'app-portal' }>): Caps {
  const has = (c: string) => session.capabilities.includes(c);
  return {
    manageEndpoint: has('ManageEndpoint'),
    viewSecret: has('ViewEndpointSecret') || has('ManageEndpointSecret') || has('ManageEndpoint'),
    rotateSecret: has('ManageEndpointSecret') || has('ManageEndpoint'),
    createAttempts: has('CreateAttempts'),
    operator: false,
  };
}

function Gone({ why }: { why: string }) {
  return (
    <main class="signin">
      <div class="card" role="alert">
        <h1>This link no longer works</h1>
        <p>{why}</p>
        <p>Ask the service that sent you here for a new link.</p>
      </div>
    </main>
  );
}

function Portal({ fromQuery }: { fromQuery: PortalTheme }) {
  takeKeyFromFragment();
  const [key] = useState(() => sessionStorage.getItem(KEY));
  const [revoked, setRevoked] = useState<string | null>(null);
  const path = useHashPath();
  const api = useMemo(
    () =>
      key === null
        ? null
        : createApi(key, (e) => {
            sessionStorage.removeItem(KEY);
            setRevoked(e.message);
          }),
    [key],
  );
  const session = useLoad(() => (api ? api.get<Session>('/auth/session') : Promise.resolve(null)), [api]);
  const sessionTheme = session.data?.kind === 'app-portal' ? session.data.theme : null;
  const logo = useMemo(() => applyTheme({ ...sessionTheme, ...fromQuery }), [sessionTheme, fromQuery]);
  if (key === null) return <Gone why="The link has no access key." />;
  if (revoked !== null || (session.error instanceof ApiError && session.error.status === 401)) {
    return <Gone why="It has expired or was revoked." />;
  }
  if (session.error) return <ErrorNote error={session.error} />;
  const s = session.data;
  if (!s || !api) return <p class="muted">Loading…</p>;
  if (s.kind !== 'app-portal') return <Gone why="This page takes an app-portal link, not an API token." />;
  const scope: AppScope = { api, appId: s.appId, caps: capsOf(s), link: (p) => `#${p}` };
  const onMessages = path.startsWith('/msgs');
  return (
    <>
      <header class="top">
        <span class="brand">
          {logo ? <img class="logo" src={logo} alt="" referrerPolicy="no-referrer" /> : null}
          {s.appName} · Webhooks
        </span>
        <nav aria-label="Portal">
          <a href="#/" aria-current={onMessages ? undefined : 'page'}>
            Endpoints
          </a>
          <a href="#/msgs" aria-current={onMessages ? 'page' : undefined}>
            Messages
          </a>
        </nav>
        {s.readOnly ? <span class="pill pill-muted">read-only</span> : null}
      </header>
      <main>
        <AppRoutes scope={scope} path={path} />
      </main>
    </>
  );
}

// The query's look at once, before the session (and its access options) arrives.
const fromQuery = queryTheme();
applyTheme(fromQuery);
const root = document.getElementById('root');
if (root) render(<Portal fromQuery={fromQuery} />, root);
