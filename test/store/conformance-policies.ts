import { expect, it } from 'vitest';
import { OPERATIONAL_APP_ID } from '../../src/core/operational.js';
import { DEFAULTS, endpointPolicy } from '../../src/config.js';
import type { EndpointPolicy } from '../../src/core/policy.js';
import type { AttemptResult, ClaimedDelivery, EndpointInput, Store } from '../../src/store/store.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';
import { POLICY } from '../helpers/fixtures.js';

/**
 * Endpoint protection and operational webhooks, run by storeConformance on
 * every backend. Time is passed in (`now` of claimDue, attempt timestamps),
 * never waited for.
 */
export function policyConformance(getStore: () => Store) {
  const policy = (over: Partial<EndpointPolicy> = {}): EndpointPolicy => ({
    ...endpointPolicy(DEFAULTS),
    ...over,
  });
  const later = (ms: number) => new Date(Date.now() + ms);
  const claim = (limit = 100, now = new Date()) => getStore().queue.claimDue({ limit, leaseMs: 60_000, now });

  async function setup(over: Partial<EndpointInput> = {}, messages = 1) {
    const store = getStore();
    const app = await store.apps.create({ uid: null, name: 'Shop', rateLimit: null, metadata: {} });
    const ep = await store.endpoints.create(app.id, endpointInput(over));
    const msgIds: string[] = [];
    for (let i = 0; i < messages; i++) {
      const { message } = await store.messages.create({
        appId: app.id,
        eventType: 'payment.succeeded',
        eventId: `evt-${i}`,
        payload: JSON.stringify({ i }),
        channels: null,
        tags: null,
      });
      msgIds.push(message.id);
    }
    return { store, app, ep, msgIds };
  }

  const result = (
    c: ClaimedDelivery,
    outcome: AttemptResult['outcome'],
    code = outcome.kind === 'success' ? 200 : 500,
    createdAt = new Date(),
  ): AttemptResult => attemptResult(c, outcome, { responseStatusCode: code, createdAt });

  /** Operational endpoints live in the hidden app, created on first use as the API does. */
  async function operationalEndpoint(filterTypes: string[] | null = null) {
    const store = getStore();
    if (!(await store.apps.get(OPERATIONAL_APP_ID))) {
      await store.apps.create({ uid: null, name: 'ops', rateLimit: null, metadata: {} }, OPERATIONAL_APP_ID);
    }
    return store.endpoints.create(
      OPERATIONAL_APP_ID,
      endpointInput({ url: 'https://ops.example/', filterTypes }),
    );
  }
  async function operationalEvents() {
    const page = await getStore().messages.list(OPERATIONAL_APP_ID, {}, { limit: 100 });
    return page.items
      .reverse()
      .map((m) => JSON.parse(m.payload) as { type: string; data: Record<string, unknown> });
  }

  it('policies: the hidden operational application is not listed', async () => {
    const store = getStore();
    await operationalEndpoint();
    await store.apps.create({ uid: null, name: 'Shop', rateLimit: null, metadata: {} });
    const ids = (await store.apps.list({ limit: 10 })).items.map((a) => a.id);
    expect(ids).toHaveLength(1);
    expect(ids).not.toContain(OPERATIONAL_APP_ID);
  });

  it('policies: maxInFlight caps leased deliveries across claims; other endpoints are not held back', async () => {
    const { store, app, ep } = await setup({ maxInFlight: 2 }, 5);
    const free = await store.endpoints.create(app.id, endpointInput());
    for (let i = 0; i < 3; i++) {
      await store.messages.create({
        appId: app.id,
        eventType: 'other',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
    }
    // Several claimers at once, as several workers or processes would.
    const batches = await Promise.all(Array.from({ length: 6 }, () => claim(3)));
    const claims = batches.flat();
    expect(claims.filter((c) => c.endpoint.id === ep.id)).toHaveLength(2);
    const capped = claims.filter((c) => c.endpoint.id === ep.id);
    // Every delivery of the free endpoint came through beside the capped one.
    expect(claims.filter((c) => c.endpoint.id === free.id)).toHaveLength(3);
    expect(await claim()).toEqual([]);
    await store.queue.recordAttempts([result(capped[0]!, { kind: 'success' })], POLICY);
    const next = await claim();
    expect(next.map((c) => c.endpoint.id)).toEqual([ep.id]);
  });

  it('policies: a cap set while deliveries are in flight counts them, and a lifted cap frees the rest', async () => {
    const { store, app, ep, msgIds } = await setup({}, 5);
    const inFlight = await claim(3);
    expect(inFlight).toHaveLength(3);
    await store.endpoints.update(app.id, ep.id, { ...ep, maxInFlight: 2 });
    // Claims a little later: a backend may take up to a second to notice the first gated endpoint.
    const soon = later(2000);
    // Three already out, above the new cap of two: nothing more until two come back.
    expect(await claim(100, soon)).toEqual([]);
    await store.queue.recordAttempts([result(inFlight[0]!, { kind: 'success' })], POLICY);
    expect(await claim(100, soon)).toEqual([]);
    await store.queue.recordAttempts([result(inFlight[1]!, { kind: 'success' })], POLICY);
    expect((await claim(100, soon)).map((c) => c.message.id)).toEqual([msgIds[3]]);
    // Lifting the cap hands the last one to the plain claim at once.
    await store.endpoints.update(app.id, ep.id, { ...ep, maxInFlight: null });
    expect((await claim(100, soon)).map((c) => c.message.id)).toEqual([msgIds[4]]);
  });

  it('policies: a gated endpoint with work is claimed even behind 300 that have nothing to give', async () => {
    const store = getStore();
    const app = await store.apps.create({ uid: null, name: 'Shop', rateLimit: null, metadata: {} });
    const post = (eventType: string) =>
      store.messages.create({
        appId: app.id,
        eventType,
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
    const limited = await store.endpoints.create(
      app.id,
      endpointInput({ rateLimit: 1, filterTypes: ['limited'] }),
    );
    // Its limiter has run once, so it sorts after endpoints that never sent.
    await post('limited');
    const [first] = await claim();
    await store.queue.recordAttempts([result(first!, { kind: 'success' })], POLICY);
    for (let i = 0; i < 300; i++) {
      await store.endpoints.create(app.id, endpointInput({ maxInFlight: 1, filterTypes: ['capped'] }));
    }
    await post('capped');
    await post('capped');
    // One in flight per capped endpoint: all 300 are at their cap, each with one more due.
    expect(await claim(1000)).toHaveLength(300);
    await post('limited');
    const next = await claim(10, later(2000));
    expect(next.map((c) => c.endpoint.id)).toEqual([limited.id]);
  });

  it('policies: rateLimit hands out tokens as time passes, shared by all claimers', async () => {
    const { store, ep } = await setup({ rateLimit: 4 }, 6);
    const t0 = Date.now() + 1000;
    const at = (ms: number) => new Date(t0 + ms);
    // 4/s with a 250 ms burst: one now, none more until 250 ms later.
    const first = await Promise.all([claim(10, at(0)), claim(10, at(0)), claim(10, at(0))]);
    expect(first.flat()).toHaveLength(1);
    expect(await claim(10, at(100))).toHaveLength(0);
    expect(await claim(10, at(250))).toHaveLength(1);
    // A long pause does not bank more than the burst.
    expect(await claim(10, at(10_000))).toHaveLength(1);
    expect(await claim(10, at(10_000))).toEqual([]);
    expect((await store.endpoints.get(ep.appId, ep.id))?.rateLimit).toBe(4);
  });

  it('policies: an ordered endpoint sends one at a time in accept order; a failing head holds the rest until skipped', async () => {
    const { store, app, ep, msgIds } = await setup({ ordered: true }, 3);
    const [head, ...none] = await claim();
    expect(none).toEqual([]);
    expect(head?.message.id).toBe(msgIds[0]);
    expect(await claim()).toEqual([]); // the head is in flight
    await store.queue.recordAttempts([result(head!, { kind: 'retry', at: later(60_000) })], POLICY);
    expect(await claim()).toEqual([]); // later messages are due but wait for the head
    await expect(store.queue.cancel(app.id, msgIds[1]!, ep.id)).resolves.toMatchObject({
      status: 'canceled',
    });
    expect(await claim()).toEqual([]); // skipping a later one does not unblock the head
    await store.queue.cancel(app.id, msgIds[0]!, ep.id);
    const [third] = await claim();
    expect(third?.message.id).toBe(msgIds[2]);
    await expect(store.queue.cancel(app.id, msgIds[2]!, ep.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.queue.cancel(app.id, 'msg_missing', ep.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.endpoints.stats(app.id, ep.id)).toMatchObject({ canceled: 2, sending: 1 });
  });

  it('policies: consecutive failures open the breaker; one probe at its time; a success closes it and the backlog flows', async () => {
    const { store, app, ep } = await setup({}, 6);
    const p = policy({ breakerThreshold: 2, breakerBackoffMs: 10_000 });
    const [a, b, ...rest] = await claim(2);
    expect(rest).toEqual([]);
    await store.queue.recordAttempts([result(a!, { kind: 'retry', at: new Date() })], p);
    await store.queue.recordAttempts([result(b!, { kind: 'retry', at: new Date() })], p);
    expect(await claim()).toEqual([]); // open: nothing before the probe time, though 6 are due
    const probeAt = later(11_000);
    const probe = await claim(10, probeAt);
    expect(probe).toHaveLength(1);
    expect(await claim(10, probeAt)).toEqual([]); // one probe at a time
    // A failed probe waits twice as long (20 s from when it was recorded).
    await store.queue.recordAttempts([result(probe[0]!, { kind: 'retry', at: new Date() }, 503, probeAt)], p);
    expect(await claim(10, later(15_000))).toEqual([]);
    const probe2 = await claim(10, later(32_000));
    expect(probe2).toHaveLength(1);
    await store.queue.recordAttempts([result(probe2[0]!, { kind: 'success' })], p);
    const drained = await claim(10, later(32_000));
    expect(drained).toHaveLength(5);
    expect((await store.endpoints.get(app.id, ep.id))?.disabled).toBe(false);
  });

  it("policies: an operator's resend brings an open breaker's probe forward to now", async () => {
    const { store, app, ep, msgIds } = await setup({}, 3);
    const p = policy({ breakerThreshold: 1, breakerBackoffMs: 600_000 });
    const [a] = await claim(1);
    await store.queue.recordAttempts([result(a!, { kind: 'fail' })], p);
    expect(await claim()).toEqual([]); // open, its probe ten minutes away
    await store.queue.resend(app.id, a!.message.id, ep.id);
    const probe = await claim();
    expect(probe).toHaveLength(1); // one probe, now: not the whole backlog
    expect(msgIds).toContain(probe[0]!.message.id);
    expect(await claim()).toEqual([]);
  });

  it('policies: releasing breakers (the breaker turned off) lets the whole backlog flow at once', async () => {
    const { store, app, ep } = await setup({}, 4);
    const p = policy({ breakerThreshold: 1, breakerBackoffMs: 600_000 });
    const [a] = await claim(1);
    await store.queue.recordAttempts([result(a!, { kind: 'retry', at: new Date() })], p);
    expect(await claim()).toEqual([]); // open, its probe ten minutes away
    const open = await store.endpoints.health(app.id, ep.id);
    expect(open).toMatchObject({ breakerOpen: true, breakerOpens: 1, consecutiveFailures: 1 });
    expect(open.breakerRetryAt).toBeGreaterThan(Date.now() + 500_000);
    expect(await store.endpoints.releaseBreakers()).toBe(1);
    expect(await store.endpoints.health(app.id, ep.id)).toMatchObject({
      breakerOpen: false,
      breakerRetryAt: null,
      consecutiveFailures: 1,
    });
    await expect(store.endpoints.health(app.id, 'ep_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.endpoints.releaseBreakers()).toBe(0);
    const flowing = await claim();
    expect(flowing.map((c) => c.endpoint.id)).toEqual([ep.id, ep.id, ep.id, ep.id]);
    // The failure run is kept (auto-disable still counts it): one more failure with the breaker off
    // leaves it closed.
    await store.queue.recordAttempts(
      [result(flowing[0]!, { kind: 'retry', at: new Date() })],
      policy({ breakerThreshold: 0 }),
    );
    expect(await store.endpoints.get(app.id, ep.id)).toMatchObject({ disabled: false });
    expect(await store.endpoints.releaseBreakers()).toBe(0);
  });

  it('policies: failing without success for the auto-disable period disables the endpoint and tells operational endpoints', async () => {
    const ops = await operationalEndpoint();
    const { store, app, ep, msgIds } = await setup({ uid: 'shop-ep' }, 2);
    const p = policy({ autoDisableAfterMs: 60_000, breakerThreshold: 0 });
    const [c1, c2] = await claim();
    // First failure after (no) success: message.attempt.failing. Half a minute ago: not yet too long.
    await store.queue.recordAttempts(
      [result(c1!, { kind: 'retry', at: new Date() }, 500, later(-30_000))],
      p,
    );
    expect((await store.endpoints.get(app.id, ep.id))?.disabled).toBe(false);
    // With a 20 s period the run is now too long: this failure ends it (and exhausts its message).
    await store.queue.recordAttempts([result(c2!, { kind: 'fail' }, 502)], {
      ...p,
      autoDisableAfterMs: 20_000,
    });
    const stored = await store.endpoints.get(app.id, ep.id);
    expect(stored?.disabled).toBe(true);
    expect(stored?.disabledReason).toMatch(/auto-disabled after 20s/);
    const events = await operationalEvents();
    expect(events.map((e) => e.type)).toEqual([
      'message.attempt.failing',
      'message.attempt.exhausted',
      'endpoint.disabled',
    ]);
    expect(events[0]?.data).toMatchObject({
      appId: app.id,
      endpointId: ep.id,
      msgId: msgIds[0],
      msgEventId: 'evt-0',
    });
    expect(events[0]?.data.lastAttempt).toMatchObject({ responseStatusCode: 500 });
    expect(events[1]?.data).toMatchObject({ msgId: msgIds[1], lastAttempt: { responseStatusCode: 502 } });
    expect(events[2]?.data).toMatchObject({
      endpointId: ep.id,
      endpointUid: 'shop-ep',
      trigger: 'automatic',
    });
    // Each event became a delivery to the operational endpoint, claimed like any other.
    const opClaims = (await claim()).filter((c) => c.endpoint.id === ops.id);
    expect(opClaims).toHaveLength(3);
  });

  it('policies: a 410 disables at once; enabling again emits endpoint.enabled and forgets the failure run', async () => {
    await operationalEndpoint(['endpoint.disabled', 'endpoint.enabled']);
    const { store, app, ep } = await setup({}, 2);
    const [c] = await claim(1);
    await store.queue.recordAttempts(
      [{ ...result(c!, { kind: 'fail' }, 410), disableEndpoint: 'the endpoint answered 410 Gone' }],
      POLICY,
    );
    const disabled = await store.endpoints.get(app.id, ep.id);
    expect(disabled).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone' });
    expect((await claim()).filter((x) => x.endpoint.id === ep.id)).toEqual([]);
    await store.endpoints.update(app.id, ep.id, { ...disabled!, disabled: false, disabledReason: null });
    const events = await operationalEvents();
    expect(events.map((e) => e.type)).toEqual(['endpoint.disabled', 'endpoint.enabled']);
    expect(events[0]?.data).toMatchObject({ trigger: 'automatic', endpointId: ep.id });
    // The parked delivery flows again; a user's disable is reported as manual.
    expect((await claim()).filter((x) => x.endpoint.id === ep.id)).toHaveLength(1);
    await store.endpoints.update(app.id, ep.id, { ...disabled!, disabled: true, disabledReason: null });
    expect((await operationalEvents()).at(-1)).toMatchObject({
      type: 'endpoint.disabled',
      data: { trigger: 'manual' },
    });
  });

  it('policies: an endpoint recovering from failures is healthy again after one success', async () => {
    await operationalEndpoint(['message.attempt.failing']);
    const { store } = await setup({}, 3);
    const p = policy({ breakerThreshold: 5 });
    const [a, b, c] = await claim();
    await store.queue.recordAttempts([result(a!, { kind: 'retry', at: later(60_000) })], p);
    await store.queue.recordAttempts([result(b!, { kind: 'success' })], p);
    await store.queue.recordAttempts([result(c!, { kind: 'retry', at: later(60_000) })], p);
    // Two failing runs, each announced once.
    expect((await operationalEvents()).map((e) => e.type)).toEqual([
      'message.attempt.failing',
      'message.attempt.failing',
    ]);
  });
}
