import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { storeConformance } from './conformance.js';

const dirs = new Map<object, string>();
storeConformance(
  'sqlite (file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
    const store = createSqliteStore(join(dir, 'test.db'));
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    await store.close();
    rmSync(dirs.get(store)!, { recursive: true, force: true });
  },
);
