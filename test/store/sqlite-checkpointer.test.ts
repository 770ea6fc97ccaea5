import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { until } from '../helpers/until.js';

/**
 * The WAL is checkpointed by a thread with its own connection
 * (sqlite/checkpointer.ts), not inside the main connection's commits.
 */
describe('SQLite checkpoints on their own thread', () => {
  let dir: string;
  let file: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-checkpoint-'));
    file = join(dir, 'h.db');
    store = createSqliteStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `n` messages of 2 KB accepted at once: one group commit, so each page goes to the WAL about once. */
  const sendMany = async (appId: string, n: number) => {
    const payload = JSON.stringify({ note: 'x'.repeat(2000) });
    const send = () =>
      store.messages.create({ appId, eventType: 'e', eventId: null, payload, channels: null, tags: null });
    await Promise.all(Array.from({ length: n }, send));
  };

  it('copies committed pages into the database file while the store is open and writing', async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    const before = statSync(file).size;
    // About 1 MB of payloads: well under the 4 MB (1,000 pages) at which SQLite's own
    // checkpoint would run inside a commit, so only the thread can have moved them.
    await sendMany(app.id, 500);
    await until(() => statSync(file).size >= before + 1_000_000);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
  }, 15_000);

  it('closes its connection with the store: the last one out checkpoints and removes the WAL, nothing lost', async () => {
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    await sendMany(app.id, 50);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 50 });
    raw.close();
  });
});
