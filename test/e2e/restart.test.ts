import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { resolveKeys } from '../../src/encryption.js';
import { openStore } from '../../src/store/open.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type HooklineProcess, spawnHookline } from '../postgres/cluster.js';

/**
 * Crash safety: `hookline serve` as an OS process (role all) on each backend,
 * killed or stopped while deliveries are in flight.
 */
const TOKEN = 'hk_e2e_restart_token_0123456789';

forEachBackend('restart with deliveries in flight', (backend) => {
  let db: TestDatabase;
  let receiver: Receiver;
  const procs: HooklineProcess[] = [];

  beforeEach(async () => {
    db = await backend.database('restart');
    receiver = await startReceiver();
  });
  afterEach(async () => {
    const killed = procs.splice(0);
    for (const p of killed) p.kill('SIGKILL');
    // Dead before their database is dropped (a PostgreSQL schema drop waits for their sessions).
    await Promise.all(killed.map((p) => p.exited));
    await receiver.close();
    // Further databases a test asked for are dropped when the suite ends.
    await db.drop();
  });

  const serve = (extra: string[] = []) => {
    const p = spawnHookline({
      databaseUrl: db.url,
      role: 'all',
      apiToken: TOKEN,
      extra: ['--lease', '2s', '--poll-interval', '200ms', '--retry-schedule', '200ms,500ms,1s,2s', ...extra],
    });
    procs.push(p);
    return p;
  };
  async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return (await res.json()) as T;
  }
  async function setUp(base: string, messages: number) {
    const app = await api<{ id: string }>(base, 'POST', '/app', { name: 'shop' });
    await api(base, 'POST', `/app/${app.id}/endpoint`, { url: `${receiver.url}/hook` });
    const ids: string[] = [];
    for (let i = 0; i < messages; i++) {
      ids.push(
        (
          await api<{ id: string }>(base, 'POST', `/app/${app.id}/msg`, {
            eventType: 'order.paid',
            payload: { i },
          })
        ).id,
      );
    }
    return { appId: app.id, ids };
  }

  it('SIGKILL loses nothing: deliveries in flight are sent again after restart', async () => {
    receiver.respondWith(() => ({ action: 'hang' }));
    const first = serve();
    const base = await first.ready;
    const { appId, ids } = await setUp(base, 12);
    await receiver.waitFor(12); // every message is in flight, none answered
    first.kill('SIGKILL');
    await first.exited;

    receiver.respondWith(() => ({ status: 200 }));
    const second = serve();
    const base2 = await second.ready;
    const seen = new Set<string>();
    await expect
      .poll(
        () => {
          for (const r of receiver.requests) seen.add(r.headers['webhook-id'] as string);
          return ids.every((id) => seen.has(id));
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true);
    // Every delivery ends as success with its attempts on record (the first, hung ones were never recorded).
    await expect
      .poll(
        async () => {
          const statuses = await Promise.all(
            ids.map((id) =>
              api<{ data: { status: number }[] }>(base2, 'GET', `/app/${appId}/msg/${id}/endpoint`),
            ),
          );
          return statuses.every((s) => s.data[0]?.status === 0);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);
    const attempts = await api<{ data: { responseStatusCode: number }[] }>(
      base2,
      'GET',
      `/app/${appId}/attempt/msg/${ids[0]}`,
    );
    expect(attempts.data.some((a) => a.responseStatusCode === 200)).toBe(true);
  });

  it('a restart with the breaker turned off closes the breakers left open, and the backlog flows', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const first = serve(['--breaker-threshold', '2', '--breaker-backoff', '1h']);
    const base = await first.ready;
    await setUp(base, 4);
    await receiver.waitFor(2); // two failures open the breaker; its probe is an hour away
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const failed = receiver.requests.length;
    receiver.respondWith(() => ({ status: 200 }));
    const second = serve(['--breaker-threshold', '0']);
    await second.ready;
    // All four messages (the two that failed among them) without waiting an hour for a probe.
    const got = await receiver.waitFor(failed + 4);
    expect(new Set(got.slice(failed).map((r) => r.headers['webhook-id'])).size).toBe(4);
  });

  it('SIGTERM lets attempts in flight finish and records them before exiting', async () => {
    receiver.respondWith(() => ({ status: 200, delayMs: 1500 }));
    const proc = serve();
    const base = await proc.ready;
    const { appId, ids } = await setUp(base, 5);
    await receiver.waitFor(5);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    // Opened as the server did: with the key file it generated beside a SQLite database (none on PostgreSQL).
    const keys = resolveKeys({ ...DEFAULTS, databaseUrl: db.url }, { generate: false });
    const store = await openStore(db.url, keys.keyring ? { cipher: keys.keyring } : {});
    try {
      for (const id of ids) {
        const page = await store.attempts.listByMessage(appId, id, {}, { limit: 10 });
        expect(page.items.map((a) => a.responseStatusCode)).toEqual([200]);
        const deliveries = await store.messages.deliveries(appId, id, { limit: 10 });
        expect(deliveries.items[0]?.delivery.status).toBe('success');
      }
    } finally {
      await store.close();
    }
    expect(receiver.requests).toHaveLength(5);
  });

  it('SIGTERM stops claiming at once and exits even while a client holds a request open', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const proc = serve();
    const base = await proc.ready;
    await setUp(base, 1);
    await receiver.waitFor(2); // failing, retried every few hundred ms
    // A client that announced a body it never sends keeps its request in flight forever.
    const { port } = new URL(base);
    const slow = connect(Number(port), '127.0.0.1');
    slow.on('error', () => {});
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write(
      `POST /api/v1/app HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
    );
    const atStop = receiver.requests.length;
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    slow.destroy();
    // At most the attempt that was in flight when the signal came; no retry claimed after it.
    expect(receiver.requests.length - atStop).toBeLessThanOrEqual(1);
  });

  it('keeps the generated API token across restarts (shown once) and refuses bad flags with a clear message', async () => {
    const tok = await backend.database('restart_tok');
    const start = async (check?: (base: string) => Promise<void>) => {
      const p = spawnHookline({ databaseUrl: tok.url, role: 'all', apiToken: null });
      procs.push(p);
      const base = await p.ready;
      await check?.(base);
      p.kill('SIGTERM');
      await p.exited;
      return /API token: (\S+) \(generated now/.exec(p.stdout())?.[1];
    };
    const token = await start();
    expect(token).toMatch(/^hk_[A-Za-z0-9_-]{32}$/);
    // Only its hash is stored: a restart does not show it, and it still works.
    const again = await start(async (base) => {
      const res = await fetch(`${base}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    });
    expect(again).toBeUndefined();

    const bad = spawnHookline({
      databaseUrl: tok.url,
      role: 'all',
      extra: ['--concurrency', 'lots'],
    });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('invalid --concurrency (HOOKLINE_CONCURRENCY): expected an integer');
  });

  it('prints no configured token, and ends startup failures with one line and exit 2', async () => {
    const running = serve();
    const base = await running.ready;
    expect(running.stdout()).toContain('API token: from --api-token / HOOKLINE_API_TOKEN (not shown)');
    expect(running.stdout()).not.toContain(TOKEN);
    const other = await backend.database('restart_other');
    const failures = [
      // The port the first one holds.
      ['--port', new URL(base).port],
    ];
    // SQLite only: a file in a directory that does not exist (PostgreSQL has no such path).
    if (backend.name === 'sqlite')
      failures.push(['--database', join(dirname(other.url.slice('sqlite:'.length)), 'missing', 'x.db')]);
    for (const extra of failures) {
      const p = spawnHookline({
        databaseUrl: extra[0] === '--database' ? `sqlite:${extra[1]}` : other.url,
        role: 'all',
        apiToken: TOKEN,
        extra: extra[0] === '--port' ? extra : [],
      });
      procs.push(p);
      expect(await p.exited, extra.join(' ')).toBe(2);
      expect(p.stderr(), extra.join(' ')).toMatch(
        /^hookline: (cannot listen on .*EADDRINUSE|cannot open SQLite database)/,
      );
      expect(p.stderr(), 'no stack trace').not.toMatch(/\n\s+at /);
    }
  });
});
