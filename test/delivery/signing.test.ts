import { afterEach, beforeEach, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/delivery/worker.js';
import { type ApiHarness, startApi } from '../api/harness.js';
import { verifyingSignatures } from '../helpers/ed25519.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../helpers/receiver.js';
import { testConfig } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

const HOUR = 3_600_000;

/**
 * Ed25519 signing and secret rotation end to end: endpoints and secrets made
 * through the API, deliveries made by a real worker to a local receiver, and
 * signatures checked with Node's crypto against the public keys the API returned.
 */
forEachBackend('ed25519 deliveries and rotation, API to receiver', (backend) => {
  let api: ApiHarness;
  let receiver: Receiver;
  let appId: string;
  const workers: Worker[] = [];
  beforeEach(async () => {
    // The receiver is on loopback, which the SSRF policy refuses unless allowed.
    api = await startApi(backend, { allowPrivateNetworks: true });
    receiver = await startReceiver();
    appId = (await api.svix.application.create({ name: 'signing' })).id;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await api.close();
    await receiver.close();
  });

  async function endpoint(body: Record<string, unknown> = {}): Promise<string> {
    const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: `${receiver.url}/hook`, ...body },
    });
    expect(res.status).toBe(201);
    return res.json.id;
  }
  async function publicKey(epId: string): Promise<string> {
    const res = await api.http('GET', `/api/v1/app/${appId}/endpoint/${epId}/secret`);
    expect(res.json.publicKey).toMatch(/^whpk_/);
    return res.json.publicKey;
  }
  const rotate = (epId: string, body: Record<string, unknown>) =>
    api.http('POST', `/api/v1/app/${appId}/endpoint/${epId}/secret/rotate`, { body });

  /** Sends one message and returns what the receiver got, delivered by a worker running at `clock`. */
  async function deliver(clock?: () => Date): Promise<ReceivedRequest> {
    const worker = createWorker({ store: api.store, config: testConfig, ...(clock ? { now: clock } : {}) });
    workers.push(worker);
    const before = receiver.requests.length;
    await api.svix.message.create(appId, {
      eventType: 'payment.succeeded',
      payload: { id: 'pay_1', n: before },
    });
    worker.start();
    const received = await receiver.waitFor(before + 1);
    await worker.stop();
    return received[before]!;
  }
  const verified = (req: ReceivedRequest, whpk: string, body = req.body) =>
    verifyingSignatures(
      String(req.headers['webhook-signature']),
      whpk,
      String(req.headers['webhook-id']),
      String(req.headers['webhook-timestamp']),
      body,
    );

  it('signs with v1a, verifiable with the public key the API returned', async () => {
    const ep = await endpoint({ secretKind: 'ed25519' });
    const whpk = await publicKey(ep);
    const req = await deliver();

    const signature = String(req.headers['webhook-signature']);
    expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]+=*$/);
    expect(verified(req, whpk)).toEqual([signature]);
    expect(verified(req, whpk, req.body.replace('pay_1', 'pay_2'))).toEqual([]);
  });

  it('after 12 rotations signs with the current key and the 10 previous ones still in grace', async () => {
    const ep = await endpoint({ secretKind: 'ed25519' });
    const keys = [await publicKey(ep)];
    for (let i = 0; i < 12; i++) {
      expect((await rotate(ep, { gracePeriodSeconds: 3600 })).status).toBe(204);
      keys.push(await publicKey(ep));
    }
    const req = await deliver();

    const entries = String(req.headers['webhook-signature']).split(' ');
    expect(entries).toHaveLength(11);
    const kept = keys.slice(-11);
    for (const whpk of kept) expect(verified(req, whpk)).toHaveLength(1);
    // Each entry is one key's signature: together the kept keys account for all of them.
    expect(new Set(kept.flatMap((whpk) => verified(req, whpk))).size).toBe(11);
    for (const dropped of keys.slice(0, 2)) expect(verified(req, dropped)).toEqual([]);
  });

  it('a previous key signs only within its grace period', async () => {
    const ep = await endpoint({ secretKind: 'ed25519' });
    const a = await publicKey(ep);
    await rotate(ep, { gracePeriodSeconds: 3600 }); // a signs for one more hour
    const b = await publicKey(ep);
    await rotate(ep, { gracePeriodSeconds: 7 * 86_400 }); // b for a week
    const c = await publicKey(ep);

    const now = await deliver();
    expect(String(now.headers['webhook-signature']).split(' ')).toHaveLength(3);
    for (const whpk of [a, b, c]) expect(verified(now, whpk)).toHaveLength(1);

    // The same stored secrets, seen by a worker whose clock is two hours on: a's grace is over.
    const later = await deliver(() => new Date(Date.now() + 2 * HOUR));
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(later, c)).toHaveLength(1);
    expect(verified(later, b)).toHaveLength(1);
    expect(verified(later, a)).toEqual([]);
  });

  it('switching an HMAC endpoint to ed25519 signs with both kinds during the grace period', async () => {
    const ep = await endpoint();
    expect((await rotate(ep, { secretKind: 'ed25519', gracePeriodSeconds: 600 })).status).toBe(204);
    const whpk = await publicKey(ep);
    const req = await deliver();
    const entries = String(req.headers['webhook-signature']).split(' ');
    expect(entries.map((e) => e.split(',')[0]).sort()).toEqual(['v1', 'v1a']);
    expect(verified(req, whpk)).toHaveLength(1);
  });
});
