import { useEffect, useState } from 'preact/hooks';
import { type Api, type TaskOut, seg } from './api';
import type { AppScope } from './app-scope';
import { Action, ErrorNote, Field } from './components';

/** A datetime-local value (the browser's local time) for a moment. */
const localInput = (d: Date) => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

const WHAT: Record<string, { name: string; report: (data: Record<string, unknown>) => string }> = {
  'endpoint.recover': {
    name: 'Recover',
    report: (d) => `${Number(d.recovered ?? 0)} failed deliveries queued again`,
  },
  'endpoint.replay': {
    name: 'Replay missing',
    report: (d) => `${Number(d.replayed ?? 0)} missing messages queued`,
  },
};

/**
 * Follows a background task (GET /background-task/{id}) every second until it
 * ends, saying where it is in a live region. A portal token may start a
 * recover but not read tasks: then it says the task started, and no more.
 */
function TaskProgress({ api, start, canFollow }: { api: Api; start: TaskOut; canFollow: boolean }) {
  const [task, setTask] = useState<TaskOut>(start);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!canFollow) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const now = await api.get<TaskOut>(`/background-task/${seg(start.id)}`);
        if (stop) return;
        setTask(now);
        if (now.status === 'running') timer = setTimeout(poll, 1000);
      } catch (err) {
        if (!stop) setError(err);
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [api, start.id, canFollow]);
  const what = WHAT[task.task] ?? { name: task.task, report: () => 'done' };
  let text = `${what.name}: running (task ${task.id})`;
  if (task.status === 'finished') text = `${what.name} finished: ${what.report(task.data ?? {})}.`;
  if (task.status === 'failed') text = `${what.name} failed: ${String(task.data?.error ?? 'unknown error')}.`;
  if (!canFollow && task.status === 'running') text = `${what.name} started (task ${task.id}).`;
  return (
    <div class="task">
      <p role="status" data-task-status={task.status}>
        {text}
      </p>
      {task.status === 'running' && canFollow ? (
        <progress class="progress" aria-label={`${what.name} in progress`} />
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

/** Recover failed deliveries, and replay what the endpoint never had, since a time: each a background task. */
export function RecoverBox({ api, appId, endpointId, caps }: AppScope & { endpointId: string }) {
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3_600_000)));
  const [until, setUntil] = useState('');
  const [tasks, setTasks] = useState<TaskOut[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const base = `/app/${seg(appId)}/endpoint/${seg(endpointId)}`;
  const run = (route: 'recover' | 'replay-missing') => async () => {
    setError(undefined);
    if (!since) throw new Error('Pick a time to start from.');
    const body = {
      since: new Date(since).toISOString(),
      ...(until ? { until: new Date(until).toISOString() } : {}),
    };
    const task = await api.send<TaskOut>('POST', `${base}/${route}`, body);
    setTasks((t) => [task, ...t]);
  };
  return (
    <div class="card">
      <h3>Recover and replay</h3>
      <p class="muted">
        Recover sends again the deliveries that failed in the window; replay missing sends the messages this
        endpoint never had (say, sent before it existed).
      </p>
      <div class="row-actions">
        <Field label="Since">
          <input
            type="datetime-local"
            required
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </Field>
        <Field label="Until (optional)">
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </Field>
        <Action label="Recover failed" run={run('recover')} />
        {caps.operator ? <Action label="Replay missing" run={run('replay-missing')} /> : null}
      </div>
      <ErrorNote error={error} />
      {tasks.map((t) => (
        <TaskProgress key={t.id} api={api} start={t} canFollow={caps.operator} />
      ))}
    </div>
  );
}
