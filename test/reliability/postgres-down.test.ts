import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { countDeliveries, produce, waitFor } from './helpers/load.js';
import { unavailable } from './helpers/privileged.js';
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayUnavailable,
} from './helpers/throwaway-postgres.js';

/**
 * PostgreSQL stops dead (`pg_ctl stop -m immediate`) while clients send and
 * Hookline delivers, then comes back. On a cluster of its own, so the shared
 * server of the other test files is never touched (test/postgres/restart.test.ts
 * restarts that one, taking a lock so no other file uses it meanwhile).
 * While it is down the API answers 503 store_unavailable, never a 500;
 * afterwards the same process carries on, and nothing accepted is lost.
 */
const TOKEN = 'hk_reliability_pg_down_0123456789';
const MESSAGES = 300;
const why = throwawayUnavailable();
const skip = why !== null && unavailable('the PostgreSQL-down test', why);

describe.skipIf(skip)('reliability: PostgreSQL stopped and started mid-load', () => {
  let pg: ThrowawayPostgres;
  let server: Server;
  let receiver: Receiver;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    receiver = await startReceiver();
    server = await startServer(
      {
        ...DEFAULTS,
        databaseUrl: pg.url,
        port: 0,
        apiToken: TOKEN,
        allowPrivateNetworks: true,
        pollIntervalMs: 200,
        leaseMs: 3000,
        retrySchedule: [200, 500, 1000, 2000, 5000],
      },
      pino({ level: 'silent' }),
    );
  }, 120_000);
  afterAll(async () => {
    await server?.stop().catch(() => {});
    await receiver?.close();
    pg?.destroy();
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

  it('answers 503 store_unavailable while it is down, recovers by itself, and loses no accepted message', async () => {
    const delivered = countDeliveries(receiver, 5);
    const app = (await call('POST', '/app', { name: 'pgdown' })).json;
    expect((await call('POST', `/app/${app.id}/endpoint`, { url: `${receiver.url}/hook` })).status).toBe(201);
    const producer = produce({ base: async () => server.url, token: TOKEN, appId: app.id, count: MESSAGES });

    await waitFor(
      () => producer.accepted.size >= MESSAGES / 3 && delivered.distinct.size > 0,
      () => `${producer.accepted.size} accepted, ${delivered.distinct.size} delivered before the stop`,
    );
    pg.crash();
    // Down: every answer is the documented 503, for writes, reads and health alike.
    for (const [method, path, body] of [
      ['POST', `/app/${app.id}/msg`, { eventType: 'load.test', payload: { probe: true } }],
      ['GET', `/app/${app.id}/msg`, undefined],
      ['GET', '/health', undefined],
    ] as const) {
      const res = await call(method, path, body);
      expect(res, `${method} ${path}`).toEqual({
        status: 503,
        json: { code: 'store_unavailable', detail: 'the database is unavailable; retry later' },
      });
    }
    const acceptedWhileDown = producer.accepted.size;
    pg.start();

    await producer.done;
    expect(producer.accepted.size).toBe(MESSAGES);
    expect(producer.accepted.size).toBeGreaterThan(acceptedWhileDown);
    await waitFor(
      () => [...producer.accepted].every((i) => delivered.distinct.has(i)),
      () => `${delivered.distinct.size} of ${MESSAGES} distinct messages delivered`,
    );
    expect(delivered.distinct.size).toBe(MESSAGES);
    await waitFor(
      async () => (await call('GET', '/health')).status === 204,
      () => 'health to answer 204 again',
    );
    // The clients saw accepts, 503s and (for a commit whose answer was lost) 409 on retry: no 500, no dropped connection.
    expect([...producer.answers.keys()].every((a) => a === 202 || a === 409 || a === 503)).toBe(true);
    expect(producer.answers.get(503) ?? 0).toBeGreaterThan(0);
  }, 240_000);
});
