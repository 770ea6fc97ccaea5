import { afterEach, beforeEach, expect, it } from 'vitest';
import { endpointPolicy } from '../../src/config.js';
import { openStore } from '../../src/store/open.js';
import type { ClaimedDelivery, Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';

/**
 * What /metrics and traces read from the store, on both backends: the queue
 * gauges (store.gauges) as deliveries move through every state, and the
 * accept's trace context coming back with each claimed delivery.
 */
// Two failures in a row open a breaker: the first failure leaves it closed.
const POLICY = endpointPolicy({ breakerThreshold: 2, breakerBackoffMs: 60_000, autoDisableAfterMs: 0 });
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

forEachBackend('store gauges and trace context', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore((await backend.database('observe')).url);
  });
  afterEach(async () => {
    await store.close();
  });

  const send = (appId: string, traceparent?: string | null) =>
    store.messages.create({
      appId,
      eventType: 'order.paid',
      eventId: null,
      payload: '{"n":1}',
      channels: null,
      tags: null,
      ...(traceparent === undefined ? {} : { traceparent }),
    });

  it('counts deliveries by queue state, the oldest due, open breakers and disabled endpoints', async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    const plain = await store.endpoints.create(app.id, endpointInput({ url: 'https://a.example/1' }));
    const gated = await store.endpoints.create(
      app.id,
      endpointInput({ url: 'https://a.example/2', rateLimit: 5 }),
    );
    const toDisable = await store.endpoints.create(app.id, endpointInput({ url: 'https://a.example/3' }));
    const flaky = await store.endpoints.create(app.id, endpointInput({ url: 'https://a.example/4' }));
    const empty = await store.gauges(new Date());
    expect(empty).toMatchObject({
      depth: { due: 0, scheduled: 0, inFlight: 0, parked: 0, failed: 0 },
      oldestDueAt: null,
      endpointsBreakerOpen: 0,
      endpointsDisabled: 0,
    });
    expect(empty.pool === null).toBe(backend.name === 'sqlite');

    const { message } = await send(app.id);
    await store.endpoints.update(app.id, toDisable.id, (e) => ({ ...e, disabled: true }));
    const now = new Date(message.createdAt.getTime() + 5000);
    const accepted = await store.gauges(now);
    // plain and flaky are due; the rate-limited one and the disabled one's are held.
    expect(accepted.depth).toEqual({ due: 2, scheduled: 0, inFlight: 0, parked: 2, failed: 0 });
    expect(accepted.oldestDueAt?.getTime()).toBe(message.createdAt.getTime());
    expect(accepted.endpointsDisabled).toBe(1);
    // Nothing is due yet at the accept's own time minus a second.
    expect((await store.gauges(new Date(message.createdAt.getTime() - 1000))).depth).toMatchObject({
      due: 0,
      scheduled: 2,
    });

    const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000, now });
    expect(claims.map((c) => c.endpoint.id).sort()).toEqual([plain.id, gated.id, flaky.id].sort());
    expect((await store.gauges(now)).depth).toEqual({
      due: 0,
      scheduled: 0,
      inFlight: 3,
      parked: 1,
      failed: 0,
    });

    const of = (id: string) => claims.find((c) => c.endpoint.id === id) as ClaimedDelivery;
    const retryAt = new Date(now.getTime() + 3_600_000);
    await store.queue.recordAttempts(
      [
        attemptResult(of(plain.id), { kind: 'success' }),
        attemptResult(of(gated.id), { kind: 'fail' }),
        attemptResult(of(flaky.id), { kind: 'retry', at: retryAt }),
      ],
      POLICY,
    );
    const recorded = await store.gauges(now);
    expect(recorded.depth).toEqual({ due: 0, scheduled: 1, inFlight: 0, parked: 1, failed: 1 });
    expect(recorded.oldestDueAt).toBeNull();
    expect(recorded.endpointsBreakerOpen).toBe(0);

    // An hour later the retry is due, and has been for a minute.
    const later = new Date(retryAt.getTime() + 60_000);
    const due = await store.gauges(later);
    expect(due.depth).toMatchObject({ due: 1, scheduled: 0 });
    expect(due.oldestDueAt?.getTime()).toBe(retryAt.getTime());

    // Its second failure opens flaky's breaker, which parks the delivery.
    const [again] = await store.queue.claimDue({ limit: 10, leaseMs: 60_000, now: later });
    expect(again?.endpoint.id).toBe(flaky.id);
    const nextAt = new Date(later.getTime() + 3_600_000);
    await store.queue.recordAttempts(
      [attemptResult(again as ClaimedDelivery, { kind: 'retry', at: nextAt })],
      POLICY,
    );
    const opened = await store.gauges(later);
    expect(opened.endpointsBreakerOpen).toBe(1);
    expect(opened.depth).toEqual({ due: 0, scheduled: 0, inFlight: 0, parked: 2, failed: 1 });
  });

  it("keeps the accept's trace context with the message and hands it to each claim", async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    await store.endpoints.create(app.id, endpointInput());
    const traced = await send(app.id, TRACEPARENT);
    const untraced = await send(app.id);
    const [batched] = await store.messages.createBatch([
      {
        appId: app.id,
        eventType: 'order.paid',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
        traceparent: TRACEPARENT,
      },
    ]);
    expect(batched && 'message' in batched && batched.message).not.toHaveProperty('traceparent');
    // The message as returned and read carries no trace field: it is not part of the API's shape.
    expect(traced.message).not.toHaveProperty('traceparent');
    const claims = await store.queue.claimDue({ limit: 10, leaseMs: 60_000 });
    const byMessage = new Map(claims.map((c) => [c.message.id, c.message.traceparent]));
    expect(byMessage.get(traced.message.id)).toBe(TRACEPARENT);
    expect(byMessage.get(untraced.message.id)).toBeNull();
    expect(byMessage.get(batched && 'message' in batched ? batched.message.id : '')).toBe(TRACEPARENT);
  });
});
