import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasPrefix, idTime } from '../../src/core/ids.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { ClaimedDelivery, FairTerms, FreshTaker, Store } from '../../src/store/store.js';
import { attemptResult, endpointInput, POLICY } from '../helpers/fixtures.js';

/**
 * With the API and the worker in one process on SQLite, the transaction that
 * accepts a message leases its deliveries to the worker at once
 * (Store.handOffTo, sqlite/hand-off.ts), as far as the worker has
 * room and as a claim would: endpoints without limits first, then fair-capped
 * borrowers, other gated endpoints never.
 */
describe('SQLite hand-off of fresh deliveries', () => {
  let dir: string;
  let store: Store;
  let raw: Database.Database;
  let taken: ClaimedDelivery[];
  let room: number;
  let fair: FairTerms | undefined;
  let stopHandOff: () => void;
  const taker: FreshTaker = {
    leaseMs: 30_000,
    room: () => room,
    fair: () => fair,
    take: (claims) => taken.push(...claims),
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-hand-off-'));
    store = createSqliteStore(join(dir, 'h.db'));
    raw = new Database(join(dir, 'h.db'));
    taken = [];
    room = 64;
    fair = undefined;
    stopHandOff = store.handOffTo!(taker);
  });
  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const app = () => store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
  const send = (appId: string) =>
    store.messages.create({
      appId,
      eventType: 'e',
      eventId: null,
      payload: '{"n":1}',
      channels: null,
      tags: null,
    });
  const statusOf = (endpointId: string) =>
    (
      raw.prepare('SELECT status FROM deliveries WHERE endpoint_id = ? ORDER BY id').all(endpointId) as {
        status: string;
      }[]
    ).map((r) => r.status);

  it('leases a message to plain endpoints in its own transaction and hands the claims over after commit', async () => {
    const a = await app();
    const one = await store.endpoints.create(a.id, endpointInput({ url: 'https://one.example/' }));
    const two = await store.endpoints.create(a.id, endpointInput({ url: 'https://two.example/' }));
    const { message, deliveries, waiting } = await send(a.id);
    expect({ deliveries, waiting }).toEqual({ deliveries: 2, waiting: 0 });
    expect(taken.map((c) => c.endpoint.url).sort()).toEqual(['https://one.example/', 'https://two.example/']);
    expect(taken.every((c) => c.message.id === message.id && c.message.payload === '{"n":1}')).toBe(true);
    expect(taken[0]!.endpoint.secrets.length).toBeGreaterThan(0);
    // Delivery ids: one run per message, numbered in SQL, in the format of every id.
    const ids = taken.map((c) => c.deliveryId);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => hasPrefix(id, 'dlv') && idTime(id) === idTime(message.id))).toBe(true);
    expect([...statusOf(one.id), ...statusOf(two.id)]).toEqual(['sending', 'sending']);
    // Leased as a claim would be: nobody else can claim them, and the lease records the attempt.
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 30_000 })).toEqual([]);
    await store.queue.recordAttempts(
      taken.map((c) => attemptResult(c, { kind: 'success' })),
      POLICY,
    );
    expect(statusOf(one.id)).toEqual(['success']);
  });

  it('hands over no more than the worker has room for; the rest waits for a claim', async () => {
    const a = await app();
    for (let i = 0; i < 3; i++) await store.endpoints.create(a.id, endpointInput());
    room = 2;
    const first = await send(a.id);
    expect({ deliveries: first.deliveries, waiting: first.waiting }).toEqual({ deliveries: 3, waiting: 1 });
    expect(taken).toHaveLength(2);
    room = 0;
    const second = await send(a.id);
    expect(second.waiting).toBe(3);
    expect(taken).toHaveLength(2);
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 30_000 })).toHaveLength(4);
  });

  it('messages accepted in one group commit share the room', async () => {
    const a = await app();
    await store.endpoints.create(a.id, endpointInput());
    room = 3;
    const results = await Promise.all(Array.from({ length: 5 }, () => send(a.id)));
    expect(results.map((r) => r.waiting)).toEqual([0, 0, 0, 1, 1]);
    expect(taken).toHaveLength(3);
  });

  it('never hands over a gated endpoint, and lends to a fair-capped borrower after the plain ones', async () => {
    const a = await app();
    const limited = await store.endpoints.create(a.id, endpointInput({ rateLimit: 5 }));
    const capped = await store.endpoints.create(a.id, endpointInput());
    const plain = await store.endpoints.create(a.id, endpointInput());
    await store.queue.shareSlots([{ endpointId: capped.id, cap: 1 }], []);
    fair = { keepFree: 2, borrowers: [limited.id, capped.id] };
    room = 1; // the plain endpoint comes first; the borrower waits for its claim
    expect((await send(a.id)).waiting).toBe(2);
    expect(taken.map((c) => c.endpoint.id)).toEqual([plain.id]);
    room = 3; // keepFree is the gated claim's reserve: a borrower takes what is left
    expect((await send(a.id)).waiting).toBe(1);
    expect(taken.map((c) => c.endpoint.id).sort()).toEqual([plain.id, plain.id, capped.id].sort());
    expect(statusOf(limited.id)).toEqual(['pending', 'pending']);
  });

  it('a lease handed over and never recorded (the process died) is claimed again when it runs out', async () => {
    const a = await app();
    await store.endpoints.create(a.id, endpointInput());
    await send(a.id);
    expect(taken).toHaveLength(1);
    const later = new Date(Date.now() + 31_000);
    const again = await store.queue.claimDue({ limit: 10, leaseMs: 30_000, now: later });
    expect(again.map((c) => c.deliveryId)).toEqual([taken[0]!.deliveryId]);
  });

  it('stops when its worker goes (not when a replaced one does), and a batch is left to the claim', async () => {
    const a = await app();
    await store.endpoints.create(a.id, endpointInput());
    stopHandOff();
    expect((await send(a.id)).waiting).toBe(1);
    // A taker that was replaced cannot end its successor's hand-off.
    const stopOther = store.handOffTo!({ ...taker });
    stopHandOff();
    expect((await send(a.id)).waiting).toBe(0);
    stopOther();
    expect((await send(a.id)).waiting).toBe(1);
    store.handOffTo!(taker);
    const batch = await store.messages.createBatch([
      { appId: a.id, eventType: 'e', eventId: null, payload: '{}', channels: null, tags: null },
    ]);
    expect(batch).toHaveLength(1);
    expect(taken).toHaveLength(1); // the one sent while the copy took
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 30_000 })).toHaveLength(3);
  });
});
