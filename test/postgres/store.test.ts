import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrefix } from '../../src/core/ids.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';
import { createTestSchema, postgresAvailable, type TestSchema, withSchema } from '../helpers/postgres.js';
import { POLICY } from '../helpers/fixtures.js';

/** Behaviour only the PostgreSQL store has: wake-ups, connection loss, parking, id format. */
const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL store specifics', () => {
  let schema: TestSchema;
  let store: Store;
  beforeAll(async () => {
    schema = await createTestSchema('pgstore');
    store = await openStore(schema.url);
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  const send = (appId: string, payload = '{}') =>
    store.messages.create({ appId, eventType: 'e', eventId: null, payload, channels: null, tags: null });

  it('makes delivery ids in the core/ids.ts format in SQL, one run per message', async () => {
    const app = await store.apps.create({ uid: null, name: 'ids', rateLimit: null, metadata: {} });
    for (let i = 0; i < 4; i++) await store.endpoints.create(app.id, endpointInput());
    const { message, deliveries } = await send(app.id);
    expect(deliveries).toBe(4);
    const page = await store.messages.deliveries(app.id, message.id, { limit: 10 });
    expect(new Set(page.items.map((i) => i.delivery.id)).size).toBe(4);
    for (const { delivery } of page.items) {
      expect(hasPrefix(delivery.id, 'dlv')).toBe(true);
      // Same millisecond part as the message id (time-sortable like every id).
      expect(delivery.id.slice(4, 4 + 9)).toBe(message.id.slice(4, 4 + 9));
    }
    await store.apps.delete(app.id);
  });

  it('wakes watchers in the same schema on new work, and not those of another schema', async () => {
    const other = await createTestSchema('pgother');
    const otherStore = await openStore(other.url);
    const producer = await openStore(schema.url);
    try {
      let woken = 0;
      let otherWoken = 0;
      const unwatch = await store.watchDue!(() => woken++);
      const unwatchOther = await otherStore.watchDue!(() => otherWoken++);
      const app = await producer.apps.create({ uid: null, name: 'w', rateLimit: null, metadata: {} });
      await producer.endpoints.create(app.id, endpointInput());
      await producer.messages.create({
        appId: app.id,
        eventType: 'e',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
      await expect.poll(() => woken, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(otherWoken).toBe(0);
      await unwatch();
      await unwatchOther();
      await producer.apps.delete(app.id);
    } finally {
      await producer.close();
      await otherStore.close();
      await other.drop();
    }
  });

  it('reports an unreachable server as STORE_UNAVAILABLE', async () => {
    await expect(openStore('postgres://postgres@127.0.0.1:1/test')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('answers STORE_UNAVAILABLE when its connections are killed, then recovers by itself', async () => {
    // What a server restart looks like to clients: every session ends with 57P01.
    const appName = `hookline_kill_${schema.schema}`;
    const u = new URL(withSchema(schema.url, schema.schema));
    u.searchParams.set('application_name', appName);
    const victim = await openStore(u.toString());
    try {
      let woken = 0;
      const unwatch = await victim.watchDue!(() => woken++);
      await victim.apps.list({ limit: 1 });
      const killed = await schema.sql<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [appName],
      );
      expect(killed[0]!.n).toBeGreaterThanOrEqual(2); // a pooled connection and the LISTEN one
      // The pool notices a dead idle connection asynchronously: a call either fails cleanly or succeeds.
      const outcome = await victim.apps.list({ limit: 1 }).then(
        () => 'ok',
        (err: { code?: string }) => err.code,
      );
      expect(['ok', 'STORE_UNAVAILABLE']).toContain(outcome);
      await expect
        .poll(() =>
          victim.apps.list({ limit: 1 }).then(
            () => true,
            () => false,
          ),
        )
        .toBe(true);
      // The LISTEN connection comes back on its own and wakes its listener once.
      await expect.poll(() => woken, { timeout: 10_000 }).toBeGreaterThan(0);
      await unwatch();
    } finally {
      await victim.close();
    }
  });

  it('parks deliveries of a disabled endpoint and makes them due again when it is enabled', async () => {
    const app = await store.apps.create({ uid: null, name: 'park', rateLimit: null, metadata: {} });
    const ep = await store.endpoints.create(app.id, endpointInput());
    await send(app.id);
    await send(app.id);
    await store.endpoints.update(app.id, ep.id, endpointInput({ disabled: true }));
    expect(await store.queue.nextDueAt()).toBeNull();
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    const rows = await schema.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending' AND due_at IS NULL",
      [ep.id],
    );
    expect(rows[0]!.n).toBe(2);
    await store.endpoints.update(app.id, ep.id, endpointInput({ disabled: false }));
    const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
    expect(claims).toHaveLength(2);
    await store.apps.delete(app.id);
  });

  it('cancels a pending delivery once; a canceled delivery is never claimed', async () => {
    const app = await store.apps.create({ uid: null, name: 'cancel', rateLimit: null, metadata: {} });
    const ep = await store.endpoints.create(app.id, endpointInput());
    const { message } = await send(app.id);
    expect(await store.queue.cancel(app.id, message.id, ep.id)).toMatchObject({ status: 'canceled' });
    await expect(store.queue.cancel(app.id, message.id, ep.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.queue.cancel(app.id, 'msg_missing', ep.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    await store.apps.delete(app.id);
  });

  it('stores a response with NUL bytes (PostgreSQL text cannot hold them) without failing the batch', async () => {
    const app = await store.apps.create({ uid: null, name: 'nul', rateLimit: null, metadata: {} });
    await store.endpoints.create(app.id, endpointInput());
    await send(app.id);
    const [c] = await store.queue.claimDue({ limit: 1, leaseMs: 60_000 });
    await store.queue.recordAttempts(
      [
        {
          deliveryId: c!.deliveryId,
          leaseToken: c!.leaseToken,
          outcome: { kind: 'success' },
          attempt: {
            appId: app.id,
            msgId: c!.message.id,
            endpointId: c!.endpoint.id,
            url: c!.endpoint.url,
            status: 'success',
            responseStatusCode: 200,
            response: 'bin\0ary',
            responseDurationMs: 1,
            errorClass: null,
            trigger: 'scheduled',
            createdAt: new Date(),
          },
        },
      ],
      POLICY,
    );
    const attempts = await store.attempts.listByMessage(app.id, c!.message.id, {}, { limit: 1 });
    expect(attempts.items[0]?.response).toBe('bin\uFFFDary');
    await store.apps.delete(app.id);
  });
});
