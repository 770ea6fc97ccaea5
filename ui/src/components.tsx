import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

/** The part of the address after `#`, as a path (`#/apps/x` is `/apps/x`); re-renders on change. */
export function useHashPath(): string {
  const read = () => window.location.hash.replace(/^#/, '') || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const onChange = () => setPath(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (and on reload); the newest answer wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

/** Shows loading, an error, or its children once data is there. */
export function Show<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (loaded.error !== undefined) return <ErrorNote error={loaded.error} />;
  if (loaded.data === undefined) return <p class="muted">Loading…</p>;
  return <>{children(loaded.data)}</>;
}

/** Any value as text in a <pre>: JSON pretty-printed, strings as they are. Never HTML. */
export function TextBlock({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  // A long payload scrolls in its box: focusable, so keyboard users can scroll it too.
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
    <section class="code" aria-label={label} tabIndex={0}>
      <pre>{text}</pre>
    </section>
  );
}

export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');

const PILL: Record<string, string> = {
  success: 'ok',
  fail: 'bad',
  pending: 'warn',
  sending: 'warn',
  canceled: 'muted',
  enabled: 'ok',
  disabled: 'bad',
  open: 'bad',
  closed: 'ok',
  active: 'ok',
  archived: 'muted',
  running: 'warn',
  finished: 'ok',
  failed: 'bad',
};
export function Pill({ text }: { text: string }) {
  return <span class={`pill pill-${PILL[text] ?? 'muted'}`}>{text}</span>;
}

/** A button that runs an action, shows that it is busy, reports a failure, and asks first when told to. */
export function Action({
  label,
  run,
  confirm,
  kind = 'secondary',
}: {
  label: string;
  run: () => Promise<unknown>;
  confirm?: string;
  kind?: 'primary' | 'secondary' | 'danger';
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const click = async () => {
    if (confirm && !window.confirm(confirm)) return;
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={`btn btn-${kind}`} disabled={busy} onClick={click}>
        {busy ? `${label}…` : label}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

/**
 * Newest / previous / next over a Svix list's iterators. `atStart` says the
 * page shown is the first (no iterator asked); a single page shows no pager.
 */
export function Pager({
  list,
  atStart,
  onPage,
}: {
  list: { iterator: string | null; prevIterator: string | null; done: boolean };
  atStart: boolean;
  onPage: (iterator: string | undefined) => void;
}) {
  if (atStart && list.done) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="btn btn-secondary" disabled={atStart} onClick={() => onPage(undefined)}>
        First page
      </button>
      <button
        type="button"
        class="btn btn-secondary"
        disabled={atStart || !list.prevIterator}
        onClick={() => onPage(list.prevIterator ?? undefined)}
      >
        Previous
      </button>
      <button
        type="button"
        class="btn btn-secondary"
        disabled={list.done || !list.iterator}
        onClick={() => onPage(list.iterator ?? undefined)}
      >
        Next
      </button>
    </nav>
  );
}

/** One column of a Table: its header and what each row shows in it. */
export interface Column<T> {
  header: string;
  cell: (item: T, index: number) => ComponentChildren;
}

/**
 * A list as a table, the one way the pages draw one: a header row, a row per
 * item, `empty` (shown muted) instead of the table when there are no items
 * (without it, the table stands with no rows), then the pager when `paging`
 * is given. Columns may be left out with `false` (a capability not held).
 */
export function Table<T>({
  columns,
  rows,
  rowKey,
  empty,
  paging,
  labelledBy,
}: {
  columns: readonly (Column<T> | false)[];
  rows: readonly T[];
  rowKey: (item: T) => string;
  empty?: ComponentChildren;
  paging?: Parameters<typeof Pager>[0];
  labelledBy?: string;
}) {
  const shown = columns.filter((c): c is Column<T> => c !== false);
  return (
    <>
      {rows.length === 0 && empty !== undefined ? (
        <p class="muted">{empty}</p>
      ) : (
        <table aria-labelledby={labelledBy}>
          <thead>
            <tr>
              {shown.map((c) => (
                <th scope="col" key={c.header}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((item, i) => (
              <tr key={rowKey(item)}>
                {shown.map((c) => (
                  <td key={c.header}>{c.cell(item, i)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {paging ? <Pager {...paging} /> : null}
    </>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: ComponentChildren;
  hint?: string;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint ? <span class="hint">{hint}</span> : null}
    </label>
  );
}

/** Comma-separated text to a list (null when empty). */
export const listOf = (text: string): string[] | null => {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : null;
};
