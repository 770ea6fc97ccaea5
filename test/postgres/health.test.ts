import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { DEFAULTS } from '../../src/config.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';

const available = await postgresAvailable();

describe.skipIf(!available)('GET /api/v1/health on PostgreSQL', () => {
  let schema: TestSchema;
  let store: Store;
  let api: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    schema = await createTestSchema('health');
    store = await openStore(schema.url);
    api = await buildApi({ store, config: { ...DEFAULTS, apiToken: 'hk_health_token_0123456789' } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/api/v1/health`;
  });
  afterAll(async () => {
    await api?.close();
    await store?.close();
    await schema?.drop();
  });

  it('answers 503 while PostgreSQL refuses the write the probe makes, and 204 once it takes it', async () => {
    expect((await fetch(url)).status).toBe(204);
    // Reads still work; the table the probe writes is gone, so its INSERT fails for real.
    await schema.sql('ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away');
    try {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        code: 'store_unavailable',
        detail: 'the database is unavailable; retry later',
      });
      expect(await store.settings.get('anything')).toBeNull();
    } finally {
      await schema.sql('ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys');
    }
    expect((await fetch(url)).status).toBe(204);
  });
});
