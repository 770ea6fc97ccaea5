import { mkdtempSync, rmSync, unlinkSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { countDeliveries, waitFor } from './helpers/load.js';
import { mountTmpfs, unavailable, unmount } from './helpers/privileged.js';

/**
 * The SQLite database on a 4 MiB tmpfs, filled up while Hookline runs:
 * accepts fail with a clean 503 store_unavailable (never a 500, never a
 * crash), health answers 503, nothing accepted before is lost, and once
 * space is freed the same process accepts and delivers again.
 */
const TOKEN = 'hk_reliability_disk_full_0123456789';
const dir = mkdtempSync(join(tmpdir(), 'hookline-diskfull-'));
const mountError = mountTmpfs(dir, '4m');
if (mountError !== null) rmSync(dir, { recursive: true, force: true });
const skip = mountError !== null && unavailable('the disk-full test', `cannot mount a tmpfs (${mountError})`);

describe.skipIf(skip)('reliability: disk full under a running SQLite Hookline', () => {
  let server: Server;
  let receiver: Receiver;
  const filler = join(dir, 'filler');
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer(
      {
        ...DEFAULTS,
        databaseUrl: `sqlite:${join(dir, 'hookline.db')}`,
        port: 0,
        apiToken: TOKEN,
        allowPrivateNetworks: true,
        pollIntervalMs: 100,
        // Retried every 500 ms for 25 s, breaker off: deliveries stay pending, not failed, until the receiver opens.
        retrySchedule: Array(50).fill(500),
        breakerThreshold: 0,
      },
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await server?.stop().catch(() => {});
    await receiver?.close();
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  /** Fills the file system with a file, up to its last byte. */
  const fill = () => {
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  };

  it('answers 503 while the disk is full, keeps what it accepted, and recovers when space is freed', async () => {
    // The receiver refuses until the disk has space again: what was accepted waits in the full database.
    let receiving = false;
    const delivered = countDeliveries(receiver, 0, () => receiving);
    const app = await call('POST', '/app', { name: 'diskfull' });
    const ep = await call('POST', `/app/${app.json.id}/endpoint`, { url: `${receiver.url}/hook` });
    expect(ep.status).toBe(201);
    const accepted: number[] = [];
    const send = (i: number) =>
      call('POST', `/app/${app.json.id}/msg`, {
        eventType: 'disk.test',
        eventId: `evt-${i}`,
        payload: { i, pad: 'p'.repeat(8 * 1024) },
      });
    for (let i = 0; i < 20; i++) {
      expect((await send(i)).status).toBe(202);
      accepted.push(i);
    }
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(204);

    // The worker is at them already (refused so far), so they are pending in the database when it fills.
    await waitFor(
      () => receiver.requests.length > 0,
      () => 'a first delivery attempt',
    );
    fill();
    // The WAL may still have room for a few; within a few MiB of payloads the disk is full.
    const refusals = new Map<number, number>();
    let next = 20;
    for (; next < 500 && !refusals.has(503); next++) {
      const res = await send(next);
      refusals.set(res.status, (refusals.get(res.status) ?? 0) + 1);
      if (res.status === 202) accepted.push(next);
      else
        expect(res.json).toEqual({
          code: 'store_unavailable',
          detail: 'the database is unavailable; retry later',
        });
    }
    expect(
      [...refusals.keys()].every((s) => s === 202 || s === 503),
      JSON.stringify([...refusals]),
    ).toBe(true);
    expect(refusals.get(503)).toBe(1);
    const health = await fetch(`${server.url}/api/v1/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ code: 'store_unavailable' });
    // Still the same live process: it reads and answers.
    expect((await call('GET', `/app/${app.json.id}`)).status).toBe(200);

    unlinkSync(filler);
    await waitFor(
      async () => (await fetch(`${server.url}/api/v1/health`)).status === 204,
      () => 'health to answer 204 once space was freed',
    );
    receiving = true;
    for (let i = next; i < next + 5; i++) {
      expect((await send(i)).status).toBe(202);
      accepted.push(i);
    }
    await waitFor(
      () => accepted.every((i) => delivered.distinct.has(i)),
      () => `${accepted.filter((i) => !delivered.distinct.has(i)).length} accepted messages not delivered`,
    );
    expect(delivered.distinct.size).toBe(accepted.length);
  });
});
