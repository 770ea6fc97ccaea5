import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { clientConfigFor, createDb, type Db } from '../../src/store/postgres/db.js';
import { postgresMessages } from '../../src/store/postgres/messages.js';
import { endpointInput } from '../helpers/fixtures.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';

/**
 * Concurrent accepts on PostgreSQL share statements (group-write.ts). The
 * conformance suite checks their answers; this checks that they really were
 * written together, by statements the server did not refuse (a refused batch
 * is silently redone one message at a time, correct but slow).
 */
const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL group commit of accepts', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('accept');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('writes concurrent accepts to three endpoints in shared statements, none refused', async () => {
    const store = await openStore(schema.url); // migrated
    const app = await store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    for (let i = 0; i < 3; i++) await store.endpoints.create(app.id, endpointInput());
    await store.close();

    const db = createDb(clientConfigFor(schema.url));
    const creates: boolean[] = [];
    const counting: Db = {
      ...db,
      async query(text, values, opts) {
        try {
          const rows = await db.query(text, values, opts);
          if (opts?.name === 'message_create') creates.push(true);
          return rows as never;
        } catch (err) {
          if (opts?.name === 'message_create') creates.push(false);
          throw err;
        }
      },
    };
    const messages = postgresMessages(counting, { poke() {} });
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          messages.create({
            appId: app.id,
            eventType: 'e',
            eventId: `evt-${i}`,
            payload: JSON.stringify({ i }),
            channels: null,
            tags: null,
          }),
        ),
      );
      expect(results.map((r) => r.deliveries)).toEqual(Array(60).fill(3));
      expect(creates.length).toBeGreaterThan(0);
      expect(creates.length).toBeLessThan(60);
      expect(creates.every(Boolean)).toBe(true);
      const [row] = await schema.sql<{ n: number; ids: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM deliveries',
      );
      expect(row).toEqual({ n: 180, ids: 180 });
    } finally {
      await db.pool.end();
    }
  });
});
