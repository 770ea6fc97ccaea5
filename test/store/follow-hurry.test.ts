import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpointPolicy, DEFAULTS } from '../../src/config.js';
import { idFloor } from '../../src/core/ids.js';
import { OPERATIONAL_APP_ID } from '../../src/core/operational.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';

/** attempts.follow (the live stream's read) and queue.hurry (a listen session reconnecting), on both stores. */
forEachBackend('attempts.follow and queue.hurry', (backend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore((await backend.database('follow')).url);
  });
  afterAll(() => store?.close());

  const newApp = (name: string) => store.apps.create({ uid: null, name, rateLimit: null, metadata: {} });
  const send = (appId: string, eventType: string) =>
    store.messages.create({ appId, eventType, eventId: null, payload: '{}', channels: null, tags: null });

  it('follow: attempts after a cursor, oldest first, with their event type, filtered, hidden app left out', async () => {
    const a = await newApp('a');
    const b = await newApp('b');
    const epA = await store.endpoints.create(a.id, endpointInput());
    await store.endpoints.create(b.id, endpointInput());
    const start = idFloor('atmpt', Date.now() - 1000);
    await send(a.id, 'one.happened');
    await send(b.id, 'two.happened');
    const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
    expect(claims).toHaveLength(2);
    const results = claims.map((c, i) =>
      i === 0
        ? attemptResult(c, { kind: 'success' })
        : attemptResult(c, { kind: 'retry', at: new Date(Date.now() + 60_000) }),
    );
    await store.queue.recordAttempts(results, endpointPolicy(DEFAULTS));

    const all = await store.attempts.follow(null, {}, { limit: 10, after: start });
    expect(all.items.map((x) => x.appId).sort()).toEqual([a.id, b.id].sort());
    expect(all.items.every((x) => x.appId !== OPERATIONAL_APP_ID)).toBe(true);
    expect(all.items.map((x) => x.id)).toEqual([...all.items.map((x) => x.id)].sort());
    const ofA = await store.attempts.follow(a.id, { endpointId: epA.id }, { limit: 10, after: start });
    expect(ofA.items).toHaveLength(1);
    expect(ofA.items[0]).toMatchObject({ eventType: 'one.happened', endpointId: epA.id });
    const failed = await store.attempts.follow(
      null,
      { status: 'fail', eventTypes: ['two.happened'] },
      {
        limit: 10,
        after: start,
      },
    );
    expect(failed.items.map((x) => x.appId)).toEqual([b.id]);
    const later = await store.attempts.follow(null, {}, { limit: 10, after: all.items.at(-1)?.id ?? '' });
    expect(later).toEqual({ items: [], done: true });
  });

  it('hurry: pending deliveries of the endpoint become due now, others and disabled ones keep waiting', async () => {
    const app = await newApp('h');
    const ep = await store.endpoints.create(app.id, endpointInput({ uid: 'listen' }));
    const other = await store.endpoints.create(app.id, endpointInput({ uid: 'other' }));
    await send(app.id, 'x.y');
    await store.queue.claimDue({ limit: 10, leaseMs: 60_000 }).then((claims) =>
      store.queue.recordAttempts(
        claims.map((c) => attemptResult(c, { kind: 'retry', at: new Date(Date.now() + 3_600_000) })),
        endpointPolicy(DEFAULTS),
      ),
    );
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);

    expect(await store.queue.hurry(app.id, ep.id)).toBe(1);
    const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
    expect(claims.map((c) => c.endpoint.id)).toEqual([ep.id]);
    expect(claims[0]?.attempts).toBe(1);
    // The other endpoint's retry is still an hour away; a second hurry finds nothing waiting.
    expect(await store.queue.hurry(app.id, ep.id)).toBe(0);

    await store.endpoints.update(app.id, other.id, (cur) => ({ ...cur, disabled: true }));
    expect(await store.queue.hurry(app.id, other.id)).toBe(0);
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
  });
});
