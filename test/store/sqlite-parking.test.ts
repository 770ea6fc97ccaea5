import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';

/**
 * Deliveries of gated endpoints are parked (out of the due index the plain
 * claim walks) and a disabled endpoint's pending ones have no due_at
 * (007_one_queue_model), so a backlog behind a rate-limited or disabled
 * endpoint costs other endpoints nothing. Behaviour is covered by the
 * conformance suite; this checks the bookkeeping that makes it cheap.
 */
describe('SQLite parked deliveries', () => {
  let dir: string;
  let store: Store;
  let raw: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-parking-'));
    store = createSqliteStore(join(dir, 'h.db'));
    raw = new Database(join(dir, 'h.db'));
  });
  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const parked = (endpointId: string) =>
    (
      raw.prepare('SELECT parked FROM deliveries WHERE endpoint_id = ? ORDER BY id').all(endpointId) as {
        parked: number;
      }[]
    ).map((r) => r.parked);

  const dueAt = (endpointId: string) =>
    (
      raw
        .prepare("SELECT due_at FROM deliveries WHERE endpoint_id = ? AND status = 'pending' ORDER BY id")
        .all(endpointId) as { due_at: number | null }[]
    ).map((r) => r.due_at);

  it('parks a gated endpoint backlog, unparks it when the limit is lifted, takes a disabled one out of the queue', async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    const limited = await store.endpoints.create(app.id, endpointInput({ rateLimit: 1 }));
    const plain = await store.endpoints.create(app.id, endpointInput());
    const send = () =>
      store.messages.create({
        appId: app.id,
        eventType: 'e',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
    for (let i = 0; i < 3; i++) await send();
    expect(parked(limited.id)).toEqual([1, 1, 1]);
    expect(parked(plain.id)).toEqual([0, 0, 0]);

    await store.endpoints.update(app.id, limited.id, { ...limited, rateLimit: null });
    expect(parked(limited.id)).toEqual([0, 0, 0]);
    // The plain claim now sees all six.
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toHaveLength(6);

    await send();
    await store.endpoints.update(app.id, plain.id, { ...plain, disabled: true });
    expect(dueAt(plain.id)).toEqual([null]);
    expect(parked(plain.id)).toEqual([0, 0, 0, 0]);
    await store.endpoints.update(app.id, plain.id, { ...plain, disabled: false });
    expect(dueAt(plain.id)).toEqual([expect.any(Number)]);
  });
});
