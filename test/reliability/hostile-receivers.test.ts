import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Attempt } from '../../src/core/model.js';
import { MAX_RESPONSE_BYTES } from '../../src/delivery/sender.js';
import { forEachBackend } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from '../delivery/fixtures.js';
import { type HostileReceiver, type Hostility, startHostileReceiver } from './helpers/hostile-receivers.js';

/**
 * Every kind of hostile receiver at once, beside a healthy one, under one
 * worker: each hostile delivery ends in the state and error class the README's
 * rules give it, the healthy endpoint gets every message, and the worker is
 * still claiming and delivering afterwards. test/delivery/retry.test.ts and
 * src/delivery/sender.test.ts cover single cases; this is the mix.
 */
type Expected = { status: 'success' | 'fail'; code: number; errorClass: Attempt['errorClass'] };
const EXPECTED: Record<Hostility, Expected> = {
  // The status arrived in time, so it decides; the body is cut (README, "What a delivery looks like": the status decides).
  'huge-2xx': { status: 'success', code: 200, errorClass: null },
  'huge-5xx': { status: 'fail', code: 500, errorClass: 'http' },
  'slow-headers': { status: 'fail', code: 0, errorClass: 'timeout' },
  'trickle-2xx': { status: 'success', code: 200, errorClass: null },
  'trickle-5xx': { status: 'fail', code: 503, errorClass: 'http' },
  'never-answers': { status: 'fail', code: 0, errorClass: 'timeout' },
  close: { status: 'fail', code: 0, errorClass: 'connect' },
  reset: { status: 'fail', code: 0, errorClass: 'connect' },
  'truncated-2xx': { status: 'success', code: 200, errorClass: null },
  'header-overflow': { status: 'fail', code: 0, errorClass: 'headers' },
};
const KINDS = Object.keys(EXPECTED) as Hostility[];
const PER_HOSTILE = 2;
const HEALTHY = 20;

forEachBackend('reliability: hostile receivers beside a healthy one', (backend) => {
  let h: Harness;
  let healthy: Receiver;
  const hostile = new Map<Hostility, HostileReceiver>();
  beforeEach(async () => {
    h = await harness(backend);
    healthy = await startReceiver();
    for (const kind of KINDS) hostile.set(kind, await startHostileReceiver(kind));
  });
  afterEach(async () => {
    await h.close();
    await healthy.close();
    await Promise.all([...hostile.values()].map((r) => r.close()));
    hostile.clear();
  });

  const send = async (eventType: string) => {
    const { message } = await h.store.messages.create({
      appId: h.app.id,
      eventType,
      eventId: null,
      payload: JSON.stringify({ eventType }),
      channels: null,
      tags: null,
    });
    return message.id;
  };

  it('records each hostile delivery with its state and error class, and never holds up the healthy endpoint', async () => {
    const endpointKind = new Map<string, Hostility>();
    for (const kind of KINDS) {
      const ep = await h.endpoint(hostile.get(kind)!.url, { filterTypes: [kind] });
      endpointKind.set(ep.id, kind);
    }
    const healthyEp = await h.endpoint(`${healthy.url}/ok`, { filterTypes: ['healthy'] });
    // One retry, so a failing delivery ends after two attempts; breakers stay shut (2 x 2 < 5).
    const worker = h.worker({ requestTimeoutMs: 1000, retrySchedule: [50], concurrency: 8 });
    worker.start();

    const hostileIds = new Map<string, Hostility>();
    const healthyIds: string[] = [];
    for (let round = 0; round < PER_HOSTILE; round++) {
      for (const kind of KINDS) hostileIds.set(await send(kind), kind);
      for (let i = 0; i < HEALTHY / PER_HOSTILE; i++) healthyIds.push(await send('healthy'));
    }
    worker.wake();

    const settled = () =>
      h.recorded.filter((r) => r.outcome.kind === 'success' || r.outcome.kind === 'fail').length;
    await h.until(() => settled() === hostileIds.size + healthyIds.length, 'every delivery settled', 50_000);

    // The healthy endpoint: every message, once, at the first try.
    expect(new Set(healthy.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(healthyIds));
    expect(healthy.requests).toHaveLength(HEALTHY);
    const stats = await h.store.endpoints.stats(h.app.id, healthyEp.id);
    expect(stats).toMatchObject({ success: HEALTHY, pending: 0, sending: 0, fail: 0 });

    for (const [msgId, kind] of hostileIds) {
      const want = EXPECTED[kind];
      const delivery = await h.delivery(msgId);
      const attempts = await h.attempts(msgId);
      expect(delivery.status, kind).toBe(want.status);
      expect(attempts, kind).toHaveLength(want.status === 'success' ? 1 : 2);
      for (const a of attempts) {
        expect([a.status, a.responseStatusCode, a.errorClass], kind).toEqual([
          want.status,
          want.code,
          want.errorClass,
        ]);
        expect(Buffer.byteLength(a.response), kind).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        expect(endpointKind.get(a.endpointId)).toBe(kind);
      }
      if (kind === 'huge-2xx' || kind === 'huge-5xx') expect(attempts[0]!.response).toMatch(/^a{4096}$/);
      if (kind === 'trickle-2xx' || kind === 'truncated-2xx')
        expect(attempts[0]!.response).toContain('unreadable');
    }
    // Each hostile receiver saw exactly the attempts recorded for it: none lost, none unrecorded.
    for (const kind of KINDS) {
      const want = EXPECTED[kind].status === 'success' ? PER_HOSTILE : 2 * PER_HOSTILE;
      expect(hostile.get(kind)!.requests, kind).toBe(want);
    }

    // The worker keeps going: new messages to the healthy endpoint are delivered after all that.
    const later = [await send('healthy'), await send('healthy'), await send('healthy')];
    worker.wake();
    await healthy.waitFor(HEALTHY + later.length, 30_000);
    expect(healthy.requests.slice(HEALTHY).map((r) => r.headers['webhook-id'])).toEqual(
      expect.arrayContaining(later),
    );
    // And it stops cleanly, with nothing left in flight.
    await worker.stop();
    for (const kind of KINDS) {
      const ep = [...endpointKind].find(([, k]) => k === kind)![0];
      expect(await h.store.endpoints.stats(h.app.id, ep), kind).toMatchObject({ pending: 0, sending: 0 });
    }
  });
});
