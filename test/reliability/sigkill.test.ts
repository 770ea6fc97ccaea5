import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Backend, forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type HooklineProcess, spawnHookline, stopAll } from '../postgres/cluster.js';
import { countDeliveries, produce, waitFor } from './helpers/load.js';

/**
 * SIGKILL of real `hookline serve` processes while clients are sending and
 * deliveries are in flight. Counted at a real receiver: every message the
 * API accepted (202) is delivered at least once after the restarts.
 * test/e2e/restart.test.ts kills an idle-API process with hung deliveries;
 * test/postgres/workers.test.ts kills workers fed straight into the store.
 * Here the API is under load when it dies.
 */
const TOKEN = 'hk_reliability_sigkill_token_0123';
const MESSAGES = 200;
const FAST = ['--lease', '2s', '--poll-interval', '200ms', '--retry-schedule', '200ms,500ms,1s,2s,5s'];

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function suite(backend: Backend) {
  let db: TestDatabase;
  let receiver: Receiver;
  let procs: HooklineProcess[] = [];
  beforeEach(async () => {
    db = await backend.database('sigkill');
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await stopAll(procs, 5_000);
    procs = [];
    await receiver.close();
    await db.drop();
  });

  const serve = (role: 'all' | 'api' | 'worker') => {
    const p = spawnHookline({ databaseUrl: db.url, role, apiToken: TOKEN, extra: FAST });
    procs.push(p);
    return p;
  };
  const kill = async (p: HooklineProcess) => {
    p.kill('SIGKILL');
    await p.exited;
  };
  const setUp = async (base: string) => {
    const app = await api<{ id: string }>(base, 'POST', '/app', { name: 'sigkill' });
    await api(base, 'POST', `/app/${app.id}/endpoint`, { url: `${receiver.url}/hook` });
    return app.id;
  };
  /** Every accepted message at the receiver; the store holds exactly one message per index. */
  const expectNoneLost = async (
    producer: ReturnType<typeof produce>,
    delivered: ReturnType<typeof countDeliveries>,
    base: string,
    appId: string,
  ) => {
    await producer.done;
    expect(producer.accepted.size).toBe(MESSAGES);
    await waitFor(
      () => delivered.distinct.size >= MESSAGES,
      () => `${delivered.distinct.size} of ${MESSAGES} distinct messages delivered`,
    );
    expect([...producer.accepted].filter((i) => !delivered.distinct.has(i))).toEqual([]);
    expect(delivered.total).toBeGreaterThanOrEqual(MESSAGES);
    // Every delivery settles as a success (what a dead process sent but never recorded is sent again).
    const ep = (await api<{ data: { id: string }[] }>(base, 'GET', `/app/${appId}/endpoint`)).data[0]!;
    let stats: Record<string, number> = {};
    await waitFor(
      async () => {
        stats = await api(base, 'GET', `/app/${appId}/endpoint/${ep.id}/stats`);
        return stats.success === MESSAGES;
      },
      () => `delivery states ${JSON.stringify(stats)}`,
    );
    expect(stats).toMatchObject({ success: MESSAGES, pending: 0, sending: 0, fail: 0 });
    // Nothing but the answers a crash explains: no 500 from a half-dead store.
    expect([...producer.answers.keys()].every((a) => [202, 409, 503, 'network error'].includes(a))).toBe(
      true,
    );
  };

  it('SIGKILL of the whole process mid-load: every accepted message is delivered', async () => {
    const delivered = countDeliveries(receiver, 5);
    const first = serve('all');
    let base = first.ready;
    const appId = await setUp(await base);
    const producer = produce({ base: () => base, token: TOKEN, appId, count: MESSAGES });

    // Once some were accepted and some delivered: both halves of the process have work in flight.
    await waitFor(
      () => producer.accepted.size >= MESSAGES / 3 && delivered.distinct.size > 0,
      () => `${producer.accepted.size} accepted, ${delivered.distinct.size} delivered`,
    );
    await kill(first);
    base = serve('all').ready;
    await expectNoneLost(producer, delivered, await base, appId);
  }, 300_000);

  if (backend.name === 'postgres')
    it('split roles: SIGKILL of the worker, then of the API, mid-load: every accepted message is delivered', async () => {
      const delivered = countDeliveries(receiver, 5);
      let apiProc = serve('api');
      let worker = serve('worker');
      let base = apiProc.ready;
      await worker.ready;
      const appId = await setUp(await base);
      const producer = produce({ base: () => base, token: TOKEN, appId, count: MESSAGES });

      await waitFor(
        () => delivered.distinct.size >= MESSAGES / 8,
        () => `${delivered.distinct.size} delivered before the worker's kill`,
      );
      await kill(worker);
      worker = serve('worker');
      await waitFor(
        () => producer.accepted.size >= MESSAGES / 2,
        () => `${producer.accepted.size} accepted before the API's kill`,
      );
      await kill(apiProc);
      apiProc = serve('api');
      base = apiProc.ready;
      await expectNoneLost(producer, delivered, await base, appId);
    }, 300_000);
}

forEachBackend('reliability: SIGKILL mid-load', suite);
