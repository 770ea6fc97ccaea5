import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { endpointInput } from '../helpers/fixtures.js';

/**
 * SQLite keeps deliveries of disabled and gated endpoints out of the due index
 * the plain claim walks (migration 005), so a backlog behind a rate-limited
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

  it('parks a gated endpoint backlog, unparks it when the limit is lifted, parks again on disable', async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    const limited = await store.endpoints.create(app.id, endpointInput({ rateLimit: 1 }));
    const plain = await store.endpoints.create(app.id, endpointInput());
    for (let i = 0; i < 3; i++) {
      await store.messages.create({
        appId: app.id,
        eventType: 'e',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
    }
    expect(parked(limited.id)).toEqual([1, 1, 1]);
    expect(parked(plain.id)).toEqual([0, 0, 0]);

    await store.endpoints.update(app.id, limited.id, { ...limited, rateLimit: null });
    expect(parked(limited.id)).toEqual([0, 0, 0]);
    // The plain claim now sees all six.
    expect(await store.queue.claimDue({ limit: 10, leaseMs: 60_000 })).toHaveLength(6);

    await store.endpoints.update(app.id, plain.id, { ...plain, disabled: true });
    expect(parked(plain.id)).toEqual([1, 1, 1]);
  });
});
