import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { endpointInput, type Harness, harness } from './fixtures.js';

/**
 * Fair sharing with the default configuration (README, Isolation): an
 * endpoint with a backlog (dead, slow, or one tenant's flood) never queues
 * ahead of another endpoint's message. Each test asserts the order of events
 * (the healthy message is delivered before the backlog drains or times out),
 * never a duration. The default share is a quarter of the worker's slots.
 */
forEachBackend('isolation: one endpoint never holds up the others', (backend) => {
  let h: Harness;
  const receivers: Receiver[] = [];
  const stores: Store[] = [];
  beforeEach(async () => {
    h = await harness(backend);
  });
  afterEach(async () => {
    // Receivers first: closing them ends the hanging requests, so the workers stop at once.
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await h.close();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  async function receiver(reply?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(reply);
    receivers.push(r);
    return r;
  }
  /** A second application, beside the harness's, for one tenant's flood. */
  const noisyTenant = () =>
    h.store.apps.create({ uid: null, name: 'Noisy tenant', rateLimit: null, metadata: {} });
  async function sendTo(appId: string, eventType: string, n = 1): Promise<void> {
    for (let i = 0; i < n; i++)
      await h.store.messages.create({
        appId,
        eventType,
        eventId: null,
        payload: `{"i":${i}}`,
        channels: null,
        tags: null,
      });
  }

  /**
   * A never-answering endpoint with 40 pending, then one message for a healthy
   * endpoint. Returns how many dead attempts had ended (timed out) when the
   * healthy message arrived, and how many dead requests were open then.
   */
  async function deadBacklogThenHealthy(config: Parameters<Harness['worker']>[0]) {
    const dead = await receiver(() => ({ action: 'hang' }));
    let deadEnded = 0;
    let atArrival = { deadEnded: -1, deadOpen: -1 };
    const healthy = await receiver(() => {
      atArrival = { deadEnded, deadOpen: dead.requests.length - deadEnded };
      return { status: 200 };
    });
    const deadEp = await h.endpoint(dead.url, { filterTypes: ['dead.event'] });
    await h.endpoint(healthy.url, { filterTypes: ['healthy.event'] });
    await sendTo(h.app.id, 'dead.event', 40);
    const worker = h.worker(config, {
      events: { attempt: (e) => void (e.claim.endpoint.id === deadEp.id && deadEnded++) },
    });
    worker.start();
    await dead.waitFor(2);
    await sendTo(h.app.id, 'healthy.event');
    worker.wake();
    await healthy.waitFor(1);
    return atArrival;
  }

  it('a never-answering endpoint with a backlog takes its share of slots, and the healthy message goes out at once', async () => {
    // 8 slots, so a share of 2; attempts at the dead endpoint time out only after 20 s.
    const at = await deadBacklogThenHealthy({ concurrency: 8, requestTimeoutMs: 20_000 });
    expect(at).toEqual({ deadEnded: 0, deadOpen: 2 });
  });

  it('without fair sharing (--endpoint-share 0) the same backlog fills every slot first', async () => {
    const at = await deadBacklogThenHealthy({ concurrency: 8, requestTimeoutMs: 1500, endpointShare: 0 });
    // The healthy message waited for a dead attempt to time out and free a slot.
    expect(at.deadEnded).toBeGreaterThan(0);
  });

  it("another application's flood to a fast endpoint does not queue ahead of one message", async () => {
    const flood = await receiver();
    const healthy = await receiver();
    const other = await noisyTenant();
    await h.store.endpoints.create(other.id, endpointInput(flood.url));
    await h.endpoint(healthy.url);
    await sendTo(other.id, 'flood.event', 1000);
    const worker = h.worker({ concurrency: 16 });
    worker.start();
    await flood.waitFor(1);
    await sendTo(h.app.id, 'healthy.event');
    worker.wake();
    await healthy.waitFor(1);
    expect(flood.requests.length).toBeLessThan(1000);
    // The flood still drains completely.
    await flood.waitFor(1000, 60_000);
    await h.until(() => h.recorded.length === 1001, 'every delivery recorded', 60_000);
    expect(new Set(flood.requests.map((r) => r.headers['webhook-id'])).size).toBe(1000);
  });

  it('several never-answering endpoints, each within its share, leave a slot for the healthy message', async () => {
    // 8 slots, a share of 2: four dead endpoints with two in flight each would fill the worker.
    const dead = await receiver(() => ({ action: 'hang' }));
    let deadOpen = -1;
    const healthy = await receiver(() => {
      deadOpen = dead.requests.length;
      return { status: 200 };
    });
    for (let e = 0; e < 4; e++) await h.endpoint(dead.url, { filterTypes: [`dead.${e}`] });
    await h.endpoint(healthy.url, { filterTypes: ['healthy.event'] });
    for (let i = 0; i < 10; i++) for (let e = 0; e < 4; e++) await sendTo(h.app.id, `dead.${e}`);
    const worker = h.worker({ concurrency: 8, requestTimeoutMs: 20_000 });
    worker.start();
    // The first claim takes two rounds (d0-d3, d0-d3): all four get a slot, then d0 and d1 a
    // second one, and the last two are kept for endpoints with nothing in flight.
    await dead.waitFor(6);
    await sendTo(h.app.id, 'healthy.event');
    worker.wake();
    await healthy.waitFor(1);
    expect(h.recorded.filter((r) => r.attempt.status !== 'success')).toEqual([]); // no dead attempt had ended
    expect(deadOpen).toBe(6);
  });

  it("another application's flood to several fast endpoints, all capped, does not take every slot", async () => {
    // 16 slots, a share of 4: five capped endpoints could take 20 between them.
    const flood = await receiver();
    const healthy = await receiver();
    const other = await noisyTenant();
    for (let e = 0; e < 5; e++)
      await h.store.endpoints.create(other.id, endpointInput(flood.url, { filterTypes: [`flood.${e}`] }));
    await h.endpoint(healthy.url);
    for (let i = 0; i < 200; i++) for (let e = 0; e < 5; e++) await sendTo(other.id, `flood.${e}`);
    const worker = h.worker({ concurrency: 16 });
    worker.start();
    await flood.waitFor(50);
    await sendTo(h.app.id, 'healthy.event');
    worker.wake();
    await healthy.waitFor(1);
    expect(flood.requests.length).toBeLessThan(1000);
    await flood.waitFor(1000, 60_000);
    expect(new Set(flood.requests.map((r) => r.headers['webhook-id'])).size).toBe(1000);
  });

  it("another application's fan-out to many endpoints, none over its share, does not queue ahead of one message", async () => {
    // 40 endpoints x 25 messages, each endpoint with about one in flight of 16 slots: no cap
    // ever applies, so only the applications' turns let the healthy message by.
    let floodAtArrival = -1;
    const flood = await receiver(() => ({ status: 200, delayMs: 20 }));
    const healthy = await receiver(() => {
      floodAtArrival = flood.requests.length;
      return { status: 200 };
    });
    const other = await noisyTenant();
    for (let e = 0; e < 40; e++)
      await h.store.endpoints.create(other.id, endpointInput(`${flood.url}?e=${e}`));
    await h.endpoint(healthy.url);
    await sendTo(other.id, 'fanout.event', 25);
    const worker = h.worker({ concurrency: 16 });
    worker.start();
    await flood.waitFor(16);
    await sendTo(h.app.id, 'healthy.event');
    worker.wake();
    await healthy.waitFor(1);
    // Oldest first, it would have waited for all 1,000.
    expect(floodAtArrival).toBeGreaterThan(0);
    expect(floodAtArrival).toBeLessThan(500);
    await flood.waitFor(1000, 60_000);
    expect(new Set(flood.requests.map((r) => `${r.headers['webhook-id']} ${r.url}`)).size).toBe(1000);
  });

  it('lends a lone busy endpoint every idle slot beyond its cap', async () => {
    // 16 slots, a share of 4; the receiver answers in 5 ms (fast: it may borrow).
    let open = 0;
    let most = 0;
    const busy = await receiver(async () => {
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 5));
      open--;
      return { status: 200 };
    });
    await h.endpoint(busy.url);
    await sendTo(h.app.id, 'busy.event', 300);
    const worker = h.worker({ concurrency: 16 });
    worker.start();
    await busy.waitFor(300, 60_000);
    expect(most).toBeGreaterThan(12); // past its cap of 4 and past the 12 it had when a share was kept free
    expect(most).toBeLessThanOrEqual(16); // never more than the worker's slots
  });

  it('holds across two workers with their own connections: the dead endpoint gets at most a share each, then one cap', async () => {
    const dead = await receiver(() => ({ action: 'hang' }));
    const healthy = await receiver();
    const deadEp = await h.endpoint(dead.url, { filterTypes: ['dead.event'] });
    await h.endpoint(healthy.url, { filterTypes: ['healthy.event'] });
    await sendTo(h.app.id, 'dead.event', 60);
    const config = { concurrency: 8, requestTimeoutMs: 20_000 };
    const secondStore = await openStore(h.databaseUrl);
    stores.push(secondStore);
    const workers = [h.worker(config), h.worker(config, { store: secondStore })];
    for (const w of workers) w.start();
    await dead.waitFor(2);
    await sendTo(h.app.id, 'healthy.event');
    for (const w of workers) w.wake();
    await healthy.waitFor(1);
    expect(h.recorded.filter((r) => r.attempt.endpointId === deadEp.id)).toEqual([]);
    // Each worker may fill its own share before the store's cap (2) holds them both.
    expect(dead.requests.length).toBeLessThanOrEqual(4);
  });
});
