import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import {
  createTestSchema,
  postgresAvailable,
  restartCommand,
  reserveRestart,
  type TestSchema,
} from '../helpers/postgres.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import {
  deliveryLog,
  deliveryStatusCounts,
  type HooklineProcess,
  setUpEndpoint,
  spawnHookline,
  stopAll,
  waitForSuccess,
} from './cluster.js';

/**
 * A real PostgreSQL restart (pg_ctlcluster ... restart) in the middle of a run
 * with one API process and two worker processes. Every message the API
 * accepted must be delivered; API calls that hit the restart fail with a
 * clean 503 (or a dropped connection) and the client retries them, with an
 * eventId so a retry of a message that was in fact stored answers 409.
 */
const available = await postgresAvailable();
const command = restartCommand();
if (available && !command) {
  const why = 'no PostgreSQL restart command on this machine (set HOOKLINE_TEST_PG_RESTART)';
  if (process.env.HOOKLINE_REQUIRE_SERVICES === '1') throw new Error(why);
  console.warn(`\n[hookline] SKIPPING the PostgreSQL restart test: ${why}.\n`);
}

const MESSAGES = 5000;
const TOKEN = 'hk_restart_test_token';

describe.skipIf(!available || !command)('a PostgreSQL restart mid-run', () => {
  let schema: TestSchema;
  let store: Store;
  let receiver: Receiver;
  let procs: HooklineProcess[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
    // This file restarts the server itself, so it must not hold the shared test lock.
    schema = await createTestSchema('restart', { restarts: true });
    store = await openStore(schema.url);
  });
  afterAll(async () => {
    await stopAll(procs);
    await store?.close();
    await schema?.drop();
    await receiver?.close();
  });

  it('loses nothing: every accepted message is delivered, and both roles carry on by themselves', async () => {
    // Wait for other test files to be done with the server first, so the restart lands mid-run.
    const server = await reserveRestart();
    onTestFinished(() => server.release()); // a no-op after the restart ended that session
    const appId = await setUpEndpoint(store, `${receiver.url}/hook`);
    const log = deliveryLog(receiver);
    const api = spawnHookline({ databaseUrl: schema.url, role: 'api', apiToken: TOKEN });
    const workers = [1, 2].map(() =>
      spawnHookline({
        databaseUrl: schema.url,
        role: 'worker',
        extra: ['--concurrency', '16', '--lease', '5s', '--poll-interval', '500ms'],
      }),
    );
    procs = [api, ...workers];
    const apiUrl = await api.ready;

    const statuses = new Map<number | string, number>();
    const seen = (s: number | string) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    let accepted = 0;
    async function post(i: number): Promise<void> {
      for (;;) {
        const status = await fetch(`${apiUrl}/api/v1/app/${appId}/msg`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ eventType: 'load.test', eventId: `evt-${i}`, payload: { i } }),
        }).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status;
          },
          () => 'network error',
        );
        seen(status);
        // 409: an earlier try was stored after all (its answer was lost in the restart).
        if (status === 202 || status === 409) {
          accepted++;
          return;
        }
        if (status !== 503 && status !== 'network error') throw new Error(`unexpected answer ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let next = 0;
    const producing = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < MESSAGES) await post(next++);
      }),
    );
    const startedAt = async () =>
      (await schema.sql<{ t: Date }>('SELECT pg_postmaster_start_time() AS t'))[0]!.t.getTime();
    const before = await startedAt();
    while (accepted < MESSAGES / 4) await new Promise((r) => setTimeout(r, 20));
    await server.restart();
    expect(await startedAt()).toBeGreaterThan(before); // it really restarted
    await producing;
    await log.waitForUnique(MESSAGES).catch(async (error: Error) => {
      // What a stall looks like from inside: the queue's state and what the processes logged.
      const state = await schema.sql(
        `SELECT d.status, d.parked, e.fair_cap, (d.due_at <= now()) AS due, count(*)::int AS n
         FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id GROUP BY 1, 2, 3, 4`,
      );
      const logs = procs.map((p, i) => `--- process ${i} stderr ---\n${p.stderr().slice(-4000)}`).join('\n');
      throw new Error(`${error.message}\nqueue: ${JSON.stringify(state)}\n${logs}`);
    });
    await waitForSuccess(store, appId, MESSAGES);
    await stopAll(procs);

    console.info(`[restart test] answers seen: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(accepted).toBe(MESSAGES);
    const messages = await schema.sql<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(messages[0]!.n).toBe(MESSAGES);
    expect(log.unique).toBe(MESSAGES);
    expect(await deliveryStatusCounts(store, appId)).toMatchObject({
      success: MESSAGES,
      pending: 0,
      sending: 0,
    });
    // Nothing but these answers: no 500 from an unmapped connection error.
    expect([...statuses.keys()].every((s) => [202, 409, 503, 'network error'].includes(s))).toBe(true);
  }, 300_000); // it first waits (the server lock) for every other PostgreSQL test file to finish
});
