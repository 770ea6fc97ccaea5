import { afterAll, beforeAll, describe, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { storeConformance } from './conformance.js';

const available = await postgresAvailable();

if (!available) {
  describe.skip('Store conformance: postgres (PostgreSQL not reachable)', () => {
    it('skipped', () => {});
  });
} else {
  // One schema for the file; every test gets the store back empty.
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('conf');
  });
  afterAll(async () => {
    await schema?.drop();
  });
  storeConformance('postgres', async (): Promise<Store> => {
    const store = await openStore(schema.url);
    await schema.sql(
      `TRUNCATE applications, event_types, endpoints, messages, deliveries, attempts, idempotency_keys, settings
       CASCADE`,
    );
    return store;
  });
}
