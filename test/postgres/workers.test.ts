import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import {
  deliveryLog,
  deliveryStatusCounts,
  type HooklineProcess,
  produce,
  setUpEndpoint,
  spawnHookline,
  stopAll,
  waitForSuccess,
} from './cluster.js';

/**
 * Several `hookline serve --role worker` OS processes share one database.
 * Nothing here asserts on timing: the waits only bound a hung run.
 */
const available = await postgresAvailable();
const MESSAGES = 5000;
const CONCURRENCY = 16;

describe.skipIf(!available)('worker processes on one PostgreSQL database', () => {
  let schema: TestSchema;
  let store: Store;
  let receiver: Receiver;
  let procs: HooklineProcess[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await stopAll(procs);
    procs = [];
    await store?.close();
    await schema?.drop();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  async function setUp(label: string) {
    schema = await createTestSchema(label);
    store = await openStore(schema.url);
    receiver.requests.length = 0;
    return setUpEndpoint(store, `${receiver.url}/hook`);
  }
  const worker = (lease: string) =>
    spawnHookline({
      databaseUrl: schema.url,
      role: 'worker',
      extra: ['--concurrency', String(CONCURRENCY), '--lease', lease, '--poll-interval', '500ms'],
    });

  it('three workers deliver 5,000 messages, each exactly once while leases hold', async () => {
    const appId = await setUp('workers');
    const log = deliveryLog(receiver);
    procs = [worker('30s'), worker('30s'), worker('30s')];
    await produce(store, appId, MESSAGES);
    await log.waitForUnique(MESSAGES);
    await stopAll(procs);
    // No lease expired (30 s, renewed), so no delivery may have been sent twice.
    expect(log.total).toBe(MESSAGES);
    expect(await deliveryStatusCounts(store, appId)).toMatchObject({
      success: MESSAGES,
      pending: 0,
      sending: 0,
    });
    const attempts = await schema.sql<{ n: number }>('SELECT count(*)::int AS n FROM attempts');
    expect(attempts[0]!.n).toBe(MESSAGES);
  });

  it('SIGKILLed workers lose nothing; duplicates stay within what was in flight at each kill', async () => {
    const appId = await setUp('crash');
    const log = deliveryLog(receiver);
    // Short leases so a killed worker's deliveries come back quickly.
    procs = [worker('3s'), worker('3s'), worker('3s')];
    const producing = produce(store, appId, MESSAGES);
    let inFlightAtKills = 0;
    let kills = 0;
    for (const mark of [1000, 2000, 3000]) {
      await log.waitForUnique(mark);
      const live = procs.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
      const victim = live[kills % live.length]!;
      victim.kill('SIGKILL');
      await victim.exited;
      kills++;
      // Everything leased and not yet recorded, by any worker: an upper bound on what the dead one had.
      const sending = await schema.sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM deliveries WHERE status = 'sending'",
      );
      inFlightAtKills += sending[0]!.n;
      procs.push(worker('3s'));
    }
    await producing;
    await log.waitForUnique(MESSAGES);
    await waitForSuccess(store, appId, MESSAGES);
    await stopAll(procs);
    expect(kills).toBe(3);
    expect(log.unique).toBe(MESSAGES);
    expect(log.duplicates()).toBeLessThanOrEqual(inFlightAtKills);
    expect(await deliveryStatusCounts(store, appId)).toMatchObject({
      success: MESSAGES,
      pending: 0,
      sending: 0,
    });
    console.info(
      `[crash test] ${kills} kills, ${log.duplicates()} duplicate sends, bound ${inFlightAtKills} in flight`,
    );
  });
});
