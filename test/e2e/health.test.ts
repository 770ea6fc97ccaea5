import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFUSAL_MEMORY_MS } from '../../src/api/routes/health.js';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';

const TOKEN = 'hk_health_token_0123456789abcdef';

/**
 * Whether files can be made immutable here (`chattr +i`: root with
 * CAP_LINUX_IMMUTABLE, on a file system that supports it). An immutable file
 * refuses writes even to root and even through descriptors already open,
 * which makes it a real read-only database where `chmod` is not (root ignores
 * file modes, and modes are checked only when a file is opened).
 */
function immutableFilesWork(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-chattr-'));
  const file = join(dir, 'probe');
  try {
    writeFileSync(file, 'x');
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const canChattr = immutableFilesWork();
if (!canChattr) {
  console.warn(
    'health.test.ts: chattr +i unavailable (not root, or no support): read-only database test skipped',
  );
}

describe('GET /api/v1/health answers 503 when the process cannot do its work (SQLite, real server)', () => {
  let dir: string;
  let file: string;
  let server: Server;
  let logged: string[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-health-'));
    file = join(dir, 'hookline.db');
    logged = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    });
    server = await startServer(
      { ...DEFAULTS, databaseUrl: `sqlite:${file}`, port: 0, apiToken: TOKEN, pollIntervalMs: 20 },
      pino({ level: 'warn' }, sink),
    );
  });
  afterEach(async () => {
    try {
      if (canChattr) execFileSync('chattr', ['-i', file, `${file}-wal`], { stdio: 'ignore' });
    } catch {
      // Not made immutable by this test.
    }
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async () => {
    const res = await fetch(`${server.url}/api/v1/health`);
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  const healthLog = () =>
    logged.filter((line) => line.includes('health check failed')).map((l) => JSON.parse(l));

  it.skipIf(!canChattr)(
    'while the database file refuses writes, then 204 again once it takes them',
    async () => {
      expect((await health()).status).toBe(204);
      // The database and its WAL; not the -shm index, which SQLite maps into
      // memory: a write to a mapped page of an immutable file is a SIGBUS.
      execFileSync('chattr', ['+i', file, `${file}-wal`]);
      const refused = await health();
      expect(refused).toEqual({
        status: 503,
        json: { code: 'store_unavailable', detail: 'the database is unavailable; retry later' },
      });
      expect(healthLog().at(-1)).toMatchObject({ reason: 'the store does not take a write', level: 40 });
      execFileSync('chattr', ['-i', file, `${file}-wal`]);
      expect((await health()).status).toBe(204);
    },
  );

  it.skipIf(!canChattr)(
    'for a few seconds after the API refused a request for want of the store, though the probe writes again',
    async () => {
      const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const app = await fetch(`${server.url}/api/v1/app`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'refused' }),
      }).then((r) => r.json());
      execFileSync('chattr', ['+i', file, `${file}-wal`]);
      const accept = await fetch(`${server.url}/api/v1/app/${app.id}/msg`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ eventType: 'refused.test', payload: {} }),
      });
      expect(accept.status).toBe(503);
      execFileSync('chattr', ['-i', file, `${file}-wal`]);
      // The store takes writes again, but a request failed for want of it moments ago.
      const refusedAt = Date.now();
      let res = await health();
      expect(res).toMatchObject({ status: 503, json: { code: 'store_unavailable' } });
      expect(healthLog().at(-1)?.reason).toMatch(
        /^a request failed \d+ ms ago: the store could not serve it$/,
      );
      while (res.status === 503) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        res = await health();
      }
      expect(res.status).toBe(204);
      // Not before the memory ran out (a lower bound: the wait itself is not measured against anything).
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(REFUSAL_MEMORY_MS - 1_000);
    },
  );

  it('while the worker keeps failing its claims (the store still writes), then 204 once claims succeed', async () => {
    expect((await health()).status).toBe(204);
    // Claims fail for real: the table they read is gone (another connection renamed it).
    const other = new Database(file);
    try {
      other.exec('ALTER TABLE deliveries RENAME TO deliveries_away');
      let res = await health();
      while (res.status === 204) res = await health();
      expect(res).toEqual({
        status: 503,
        json: { code: 'store_unavailable', detail: 'the database is unavailable; retry later' },
      });
      expect(healthLog().at(-1)?.reason).toMatch(
        /^the delivery worker's last \d+ claims failed: .*deliveries/,
      );
      other.exec('ALTER TABLE deliveries_away RENAME TO deliveries');
      while (res.status === 503) res = await health();
      expect(res.status).toBe(204);
    } finally {
      other.close();
    }
  });
});
