import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Delivery } from '../../src/core/model.js';
import { openStore } from '../../src/store/open.js';
import type { Worker } from '../../src/delivery/worker.js';
import type { Store } from '../../src/store/store.js';
import { type EndpointName, type Manifest, type Owed, takeSnapshot } from '../fixtures/upgrade/manifest.js';
import { activeKeys, byPath, comparable, signingKeys } from './checks.js';
import { type Harness, harness, inputOf } from './harness.js';
import { readFixture, type Restored } from './restore.js';

/**
 * The upgrade test for one backend, as a sequence of steps sharing one
 * restored database: open it with today's code (migrating it), check that
 * everything lists as it did, then deliver what it owed in three phases
 * (due now; after enabling disabled endpoints; with the clock past the
 * fixture's future) and check each owed delivery went out exactly once,
 * signed, in order where ordered, and that nothing else changed.
 */
export function upgradeSteps(
  backend: Manifest['backend'],
  restore: (dump: string) => Promise<Restored>,
): void {
  const { dump, manifest: m } = readFixture(backend);
  const acme = m.apps.acme;
  const ep = (name: EndpointName) => m.endpoints[name];
  const owed = (phase: Owed['phase']) => m.owed.filter((o) => o.phase === phase);
  const appIds = [m.apps.acme, m.apps.beta, m.apps.operational];
  let restored: Restored;
  let store: Store;
  let h: Harness;
  let phaseOne: Worker;

  beforeAll(async () => {
    restored = await restore(dump);
    store = await openStore(restored.url, { poolMax: 4 });
    h = await harness(store, m);
  });
  afterAll(async () => {
    await h?.close();
    await store?.close();
    await restored?.drop();
  });

  const deliveryOf = async (o: { endpoint: EndpointName; msgId: string }): Promise<Delivery> => {
    const { appId, id } = ep(o.endpoint);
    const page = await store.messages.deliveries(appId, o.msgId, { limit: 100 });
    const found = page.items.find((d) => d.endpoint.id === id);
    if (!found) throw new Error(`no delivery of ${o.msgId} to ${o.endpoint}`);
    return found.delivery;
  };

  it('opens the old database with the current code and lists everything exactly as before', async () => {
    const disabled = new Set([ep('disabled-manual').id, ep('disabled-410').id]);
    const now = await takeSnapshot(store, appIds);
    expect(comparable(now, disabled)).toEqual(comparable(m.snapshot, disabled));
    // The hidden operational application stays out of the app list.
    const listed = (await store.apps.list({ limit: 100 })).items.map((a) => a.id);
    expect(listed.sort()).toEqual([m.apps.acme, m.apps.beta].sort());
  });

  it('keeps the API token and settings', async () => {
    expect(await store.settings.get('api_token')).toBe(m.apiToken);
    // getOrSet must find the stored one rather than start over with a new token.
    expect(await store.settings.getOrSet('api_token', 'hk_other')).toBe(m.apiToken);
  });

  it('answers finished idempotency keys with the stored response', async () => {
    const d = m.idempotency.done;
    const later = new Date(Date.now() + 86_400_000);
    expect(await store.idempotency.begin(d.key, 'some other hash', later)).toEqual({
      state: 'done',
      requestHash: d.requestHash,
      statusCode: d.statusCode,
      body: d.body,
    });
  });

  it('keeps an unfinished idempotency key in progress until its lock times out', async () => {
    const p = m.idempotency.inProgress;
    const later = new Date(Date.now() + 86_400_000);
    const longAgo = Date.now() - Date.parse(m.builtAt);
    // A lock timeout longer than the fixture's age: the claim still holds.
    expect(await store.idempotency.begin(p.key, p.requestHash, later, longAgo + 3_600_000)).toEqual({
      state: 'in_progress',
    });
    // Past its lock timeout it is abandoned, and the next request takes it over.
    expect((await store.idempotency.begin(p.key, p.requestHash, later, 1)).state).toBe('new');
  });

  it('delivers everything owed now once a worker runs: due, retrying, expired leases, gated, operational', async () => {
    for (const [name, { appId, id }] of Object.entries(m.endpoints)) {
      await store.endpoints.update(appId, id, (cur) => ({
        ...inputOf(cur),
        url: `${h.receiver.url}/${name}`,
      }));
    }
    // The fixture's "retry soon" times are minutes after it was built; never start before them.
    const skew = Math.max(0, Date.parse(m.dueBy) + 1000 - Date.now());
    phaseOne = h.startWorker(skew);

    // The open breaker lets one probe through and holds the rest back while it is in flight.
    await h.waitUntil(() => h.probeArrived, 'the breaker probe');
    const breaker = await store.endpoints.stats(acme, ep('breaker').id);
    expect(breaker).toMatchObject({ sending: 1, pending: 6 });
    expect(byPath(h.receiver.requests).get('breaker')).toHaveLength(1);
    h.releaseProbe();

    await h.delivered(owed('now'), 'phase one');
    const got = byPath(h.receiver.requests);
    // Nothing for disabled endpoints, nor anything scheduled in the future.
    expect(got.get('disabled-manual')).toBeUndefined();
    expect(got.get('disabled-410')).toBeUndefined();
    expect(got.get('ordered-blocked')).toBeUndefined();
    const futureIds = owed('future').map((o) => o.msgId);
    expect(
      (got.get('plain') ?? []).filter((r) => futureIds.includes(String(r.headers['webhook-id']))),
    ).toEqual([]);
    // The breaker drained after its probe; ordered deliveries came in accept order.
    expect(got.get('breaker')!.length).toBe(7);
    const ordered = owed('now')
      .filter((o) => o.endpoint === 'ordered')
      .map((o) => o.msgId);
    expect(got.get('ordered')!.map((r) => r.headers['webhook-id'])).toEqual(ordered);
    expect(h.maxOpen.get('capped')).toBeLessThanOrEqual(2);
    expect(await store.endpoints.stats(acme, ep('disabled-manual').id)).toMatchObject({ pending: 2 });
    expect(await store.endpoints.stats(acme, ep('disabled-410').id)).toMatchObject({ pending: 2 });
  });

  it('delivers the deliveries of disabled endpoints once they are enabled again', async () => {
    for (const name of ['disabled-manual', 'disabled-410'] as const) {
      const { appId, id } = ep(name);
      const enabled = await store.endpoints.update(appId, id, (cur) => ({
        ...inputOf(cur),
        disabled: false,
        disabledReason: null,
      }));
      expect(enabled).toMatchObject({ disabled: false, disabledReason: null });
    }
    await h.delivered(owed('enable'), 'after enabling');
    // Each enabling is reported to the operational endpoint that takes every event type.
    const enabledEvents = () =>
      (byPath(h.receiver.requests).get('ops-all') ?? []).filter(
        (r) => (JSON.parse(r.body) as { type: string }).type === 'endpoint.enabled',
      );
    await h.waitUntil(() => enabledEvents().length >= 2, 'two endpoint.enabled events');
    const about = enabledEvents().map(
      (r) => (JSON.parse(r.body) as { data: { endpointId: string } }).data.endpointId,
    );
    expect(about.sort()).toEqual([ep('disabled-manual').id, ep('disabled-410').id].sort());
  });

  it('delivers retries scheduled in the future and deliveries under a valid lease once the clock passes them', async () => {
    await phaseOne.stop();
    const future = Date.parse(m.future) + 86_400_000;
    h.startWorker(future - Date.now());
    await h.delivered(owed('future'), 'phase two');
    const blocked = owed('future')
      .filter((o) => o.endpoint === 'ordered-blocked')
      .map((o) => o.msgId);
    const got = byPath(h.receiver.requests).get('ordered-blocked')!;
    expect(got.map((r) => r.headers['webhook-id'])).toEqual(blocked);
  });

  it('sent each owed delivery exactly once, as its message, signed with the keys active then', async () => {
    await h.close(); // no worker runs from here on: what arrived is final
    const snapshot = new Map(m.snapshot.messages.map((s) => [s.message.id, s.message]));
    const endpoints = new Map(m.snapshot.endpoints.map((e) => [e.endpoint.id, e.endpoint]));
    const enabledIds = new Set([ep('disabled-manual').id, ep('disabled-410').id]);
    for (const [path, requests] of byPath(h.receiver.requests)) {
      const name = path as EndpointName;
      const expected = m.owed.filter((o) => o.endpoint === name).map((o) => o.msgId);
      const got = requests.map((r) => String(r.headers['webhook-id']));
      const extra = got.filter((id) => !expected.includes(id));
      expect(new Set(got).size, `${name}: a message was delivered twice`).toBe(got.length);
      expect([...expected].sort(), `${name}: owed vs delivered`).toEqual(
        got.filter((id) => expected.includes(id)).sort(),
      );
      // Only the two endpoint.enabled events raised by this test are new.
      expect(extra, name).toHaveLength(name === 'ops-all' ? 2 : 0);
      const secrets = endpoints.get(ep(name).id)!.secrets;
      for (const r of requests) {
        const id = String(r.headers['webhook-id']);
        if (!extra.includes(id)) expect(r.body).toBe(snapshot.get(id)!.payload);
        else
          expect(
            enabledIds.has((JSON.parse(r.body) as { data: { endpointId: string } }).data.endpointId),
          ).toBe(true);
        const ts = Number(r.headers['webhook-timestamp']);
        expect(signingKeys(r, secrets).sort(), `${name} ${id} signed by`).toEqual(
          activeKeys(secrets, ts).sort(),
        );
        if (name === 'plain') expect(r.headers['x-fixture']).toBe('plain');
      }
    }
    // Every endpoint that was owed something got it.
    const paths = new Set(byPath(h.receiver.requests).keys());
    for (const o of m.owed) expect(paths.has(o.endpoint), o.endpoint).toBe(true);
  });

  it('records each owed delivery as succeeded after exactly one more attempt', async () => {
    for (const o of m.owed) {
      const d = await deliveryOf(o);
      expect(d, `${o.endpoint}: ${o.note}`).toMatchObject({
        status: 'success',
        attempts: o.priorAttempts + 1,
      });
      const { appId, id } = ep(o.endpoint);
      const attempts = (
        await store.attempts.listByMessage(appId, o.msgId, { endpointId: id }, { limit: 100 })
      ).items;
      expect(attempts).toHaveLength(o.priorAttempts + 1);
      expect(attempts[0]).toMatchObject({ status: 'success', url: `${h.receiver.url}/${o.endpoint}` });
    }
  });

  it('leaves finished history unchanged: messages, deliveries, attempts, stats', async () => {
    const after = await takeSnapshot(store, appIds);
    const finishedIds = new Set(m.finished.map((f) => f.msgId));
    const pick = (s: typeof after) => s.messages.filter((x) => finishedIds.has(x.message.id));
    expect(pick(after)).toEqual(pick(m.snapshot));
    for (const f of m.finished)
      expect(await deliveryOf(f)).toMatchObject({ status: f.status, attempts: f.attempts });
    const history = (s: typeof after) => s.endpoints.find((e) => e.endpoint.id === ep('history').id)!.stats;
    expect(history(after)).toEqual(history(m.snapshot));
    // The endpoint's own views list the same history.
    const historyId = ep('history').id;
    const byEndpoint = (await store.attempts.listByEndpoint(acme, historyId, {}, { limit: 100 })).items;
    const recorded = m.snapshot.messages.flatMap((x) => x.attempts).filter((a) => a.endpointId === historyId);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(JSON.parse(JSON.stringify(byEndpoint)).sort(byId)).toEqual(recorded.sort(byId));
    const statuses = (await store.messages.forEndpoint(acme, historyId, {}, { limit: 100 })).items.map(
      (x) => [x.message.id, x.delivery.status],
    );
    expect(statuses.sort()).toEqual(m.finished.map((f) => [f.msgId, f.status]).sort());
    // Every message the fixture held is still there, byte for byte.
    const messages = (s: typeof after) =>
      s.messages.map((x) => x.message).filter((x) => x.appId !== m.apps.operational);
    expect(messages(after)).toEqual(messages(m.snapshot));
  });
}
