import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateHmacSecret } from '../../src/core/signing.js';
import { OPERATIONAL_APP_ID } from '../../src/core/operational.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { endpointInput, type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('delivery end to end: Retry-After, 410, auto-disable and operational webhooks', (backend) => {
  let h: Harness;
  let receiver: Receiver;
  let ops: Receiver;
  beforeEach(async () => {
    h = await harness(backend);
    receiver = await startReceiver();
    ops = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
    await ops.close();
  });

  /** An operational endpoint (the hidden app's, as the API registers it) pointing at `ops`. */
  async function operationalEndpoint() {
    await h.store.apps.create({ uid: null, name: 'ops', rateLimit: null, metadata: {} }, OPERATIONAL_APP_ID);
    const secret = generateHmacSecret();
    await h.store.endpoints.create(
      OPERATIONAL_APP_ID,
      endpointInput(ops.url, { secrets: [{ key: secret, expiresAt: null }] }),
    );
    return new Webhook(secret);
  }

  it('honours Retry-After in seconds and as an HTTP date instead of the schedule', async () => {
    // Whole seconds: an HTTP date has no finer resolution.
    const date = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    receiver.enqueue(
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 503, headers: { 'retry-after': date.toUTCString() } },
      { status: 200 },
    );
    await h.endpoint(receiver.url);
    // The schedule alone would wait a minute between tries.
    h.worker({ retrySchedule: [60_000, 60_000, 60_000] }).start();
    const msgId = await h.send();
    await h.until(() => h.recorded.some((r) => r.outcome.kind === 'success'), 'the third attempt');
    const [first, second] = h.recorded;
    if (first?.outcome.kind !== 'retry' || second?.outcome.kind !== 'retry')
      throw new Error('expected retries');
    const waited = first.outcome.at.getTime() - first.attempt.createdAt.getTime();
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(60_000);
    // The date itself (or "now", were it already past): never the schedule's minute.
    expect(second.outcome.at.getTime()).toBeGreaterThanOrEqual(date.getTime());
    expect(second.outcome.at.getTime() - second.attempt.createdAt.getTime()).toBeLessThan(60_000);
    expect((await h.attempts(msgId)).map((a) => a.responseStatusCode)).toEqual([429, 503, 200]);
  });

  it('clamps a Retry-After beyond the maximum', async () => {
    receiver.enqueue({ status: 429, headers: { 'retry-after': '86400' } });
    await h.endpoint(receiver.url);
    h.worker({ retrySchedule: [50], maxRetryAfterMs: 2000 }).start();
    await h.send();
    await h.until(() => h.recorded.length === 1, 'the first attempt');
    const r = h.recorded[0]!;
    if (r.outcome.kind !== 'retry') throw new Error('expected a retry');
    expect(r.outcome.at.getTime() - r.attempt.createdAt.getTime()).toBeLessThanOrEqual(2000 + 1000);
  });

  it('410 Gone disables the endpoint at once and tells the operational endpoint', async () => {
    const verifier = await operationalEndpoint();
    receiver.enqueue({ status: 410, body: 'gone' });
    const ep = await h.endpoint(receiver.url);
    h.worker({ retrySchedule: [50, 50, 50] }).start();
    const msgId = await h.send();
    // A 410 is also a failure: the first one after success (message.attempt.failing).
    const bodies = (await ops.waitFor(2)).map(
      (e) =>
        verifier.verify(e.body, e.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        },
    );
    expect(bodies.map((b) => b.type).sort()).toEqual(['endpoint.disabled', 'message.attempt.failing']);
    expect(bodies.find((b) => b.type === 'endpoint.disabled')?.data).toMatchObject({
      endpointId: ep.id,
      trigger: 'automatic',
    });
    expect(await h.store.endpoints.get(h.app.id, ep.id)).toMatchObject({
      disabled: true,
      disabledReason: 'the endpoint answered 410 Gone',
    });
    // The delivery waits with the endpoint: enabling it again resumes the backlog.
    expect(await h.delivery(msgId)).toMatchObject({ status: 'pending', attempts: 1 });
    await h.send(); // not routed to a disabled endpoint
    await h.until(() => h.recorded.length >= 3, 'the operational deliveries recorded');
    expect(receiver.requests).toHaveLength(1);
  });

  it('auto-disables an endpoint that fails without success for the configured time, and the operational webhook verifies', async () => {
    const verifier = await operationalEndpoint();
    receiver.respondWith(() => ({ status: 500 }));
    const ep = await h.endpoint(receiver.url, { uid: 'orders' });
    h.worker({ retrySchedule: Array(20).fill(50), breakerThreshold: 0, autoDisableAfterMs: 300 }).start();
    const msgId = await h.send();
    // message.attempt.failing at the first failure, endpoint.disabled once the run is 300 ms long.
    const events = await ops.waitFor(2);
    const bodies = events.map(
      (e) =>
        verifier.verify(e.body, e.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        },
    );
    expect(bodies.map((b) => b.type)).toEqual(['message.attempt.failing', 'endpoint.disabled']);
    expect(bodies[0]?.data).toMatchObject({ appId: h.app.id, endpointId: ep.id, msgId });
    expect(bodies[1]?.data).toMatchObject({ endpointId: ep.id, endpointUid: 'orders', trigger: 'automatic' });
    expect(typeof bodies[1]?.data.failSince).toBe('string');
    const stored = await h.store.endpoints.get(h.app.id, ep.id);
    expect(stored?.disabled).toBe(true);
    expect(stored?.disabledReason).toMatch(
      /^failing without a successful attempt since .* \(auto-disabled after 300ms\)$/,
    );
    // The operational deliveries are ordinary, logged deliveries of the hidden app.
    const logged = await h.store.messages.list(OPERATIONAL_APP_ID, {}, { limit: 10 });
    expect(logged.items.map((m) => m.eventType).sort()).toEqual([
      'endpoint.disabled',
      'message.attempt.failing',
    ]);
  });
});
