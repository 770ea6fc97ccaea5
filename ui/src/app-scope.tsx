import type { Api, EndpointOut, EventTypeOut, ListOut, StatsOut } from './api';
import { Pill, when } from './components';

/** What the person in front of the page may do; the API enforces the same, this only hides controls. */
export interface Caps {
  manageEndpoint: boolean;
  viewSecret: boolean;
  rotateSecret: boolean;
  createAttempts: boolean;
  /** The operator's own: delivery statistics (sparklines) and replay-missing; portal tokens get 403 there. */
  operator: boolean;
}
export const ALL_CAPS: Caps = {
  manageEndpoint: true,
  viewSecret: true,
  rotateSecret: true,
  createAttempts: true,
  operator: true,
};

/** The pages of one application, shared by the dashboard and the portal; `link` builds their addresses. */
export interface AppScope {
  api: Api;
  appId: string;
  caps: Caps;
  link: (path: string) => string;
}

export const go = (href: string) => {
  window.location.hash = href.replace(/^#/, '');
};

export async function eventTypeNames(api: Api): Promise<string[]> {
  const list = await api.get<ListOut<EventTypeOut>>('/event-type', { limit: 250 });
  return list.data.filter((e) => !e.archived).map((e) => e.name);
}

export function Health({ stats }: { stats: StatsOut | undefined }) {
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

export function EndpointState({ ep }: { ep: EndpointOut }) {
  return (
    <span>
      <Pill text={ep.disabled ? 'disabled' : 'enabled'} />
      {ep.disabledReason ? <span class="muted"> {ep.disabledReason}</span> : null}
    </span>
  );
}
