import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { resolveKeys } from '../../src/encryption.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type HooklineProcess, spawnHookline } from '../postgres/cluster.js';

/**
 * Crash safety on the embedded default: `hookline serve` as an OS process on a
 * SQLite file, killed or stopped while deliveries are in flight.
 */
const TOKEN = 'hk_e2e_restart_token_0123456789';

describe('restart with deliveries in flight (SQLite)', () => {
  let dir: string;
  let receiver: Receiver;
  const procs: HooklineProcess[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-restart-'));
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = (extra: string[] = []) => {
    const p = spawnHookline({
      databaseUrl: `sqlite:${join(dir, 'hookline.db')}`,
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

  it('SIGTERM lets attempts in flight finish and records them before exiting', async () => {
    receiver.respondWith(() => ({ status: 200, delayMs: 1500 }));
    const proc = serve();
    const base = await proc.ready;
    const { appId, ids } = await setUp(base, 5);
    await receiver.waitFor(5);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    // Opened as the server did: with the key file it generated beside the database.
    const path = join(dir, 'hookline.db');
    const keys = resolveKeys({ ...DEFAULTS, databaseUrl: `sqlite:${path}` }, { generate: false });
    const store = createSqliteStore(path, keys.keyring);
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
    const start = async (check?: (base: string) => Promise<void>) => {
      const p = spawnHookline({ databaseUrl: `sqlite:${join(dir, 'tok.db')}`, role: 'all', apiToken: null });
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
      databaseUrl: `sqlite:${join(dir, 'tok.db')}`,
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
    const failures = [
      // The port the first one holds.
      ['--port', new URL(base).port],
      ['--database', join(dir, 'missing', 'x.db')],
    ];
    for (const extra of failures) {
      const p = spawnHookline({
        databaseUrl: extra[0] === '--database' ? `sqlite:${extra[1]}` : `sqlite:${join(dir, 'other.db')}`,
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
