import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { DEFAULTS, endpointPolicy } from '../../src/config.js';
import type { Store } from '../../src/store/store.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';

/**
 * Workers record their batches concurrently on PostgreSQL; each batch locks the
 * health rows of its endpoints. These check that concurrent batches queue
 * behind each other instead of deadlocking (a deadlock costs the server's
 * deadlock_timeout, then a retried batch and a worker that stops claiming meanwhile).
 */
const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL concurrent recording', () => {
  let schema: TestSchema;
  let workers: Store[];
  beforeAll(async () => {
    schema = await createTestSchema('concurrency');
    workers = [await openStore(schema.url), await openStore(schema.url)];
  });
  afterAll(async () => {
    for (const w of workers ?? []) await w.close();
    await schema?.drop();
  });

  it('two workers recording opposite batches ([fail A, ok B] and [fail B, ok A]) never deadlock', async () => {
    const [one, two] = workers as [Store, Store];
    const app = await one.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
    const a = await one.endpoints.create(app.id, endpointInput());
    const b = await one.endpoints.create(app.id, endpointInput());
    const policy = { ...endpointPolicy(DEFAULTS), breakerThreshold: 1000 };
    const retry = { kind: 'retry' as const, at: new Date(Date.now() + 3_600_000) };
    for (let round = 0; round < 15; round++) {
      for (let i = 0; i < 2; i++) {
        await one.messages.create({
          appId: app.id,
          eventType: 'e',
          eventId: null,
          payload: '{}',
          channels: null,
          tags: null,
        });
      }
      const claims = await one.queue.claimDue({ limit: 100, leaseMs: 60_000 });
      const [a1, a2] = claims.filter((c) => c.endpoint.id === a.id);
      const [b1, b2] = claims.filter((c) => c.endpoint.id === b.id);
      // Both endpoints already failing, so success heals them: every batch locks both.
      await schema.sql('UPDATE endpoint_state SET consecutive_failures = 1, failing_since = now()');
      const outcomes = await Promise.allSettled([
        one.queue.recordAttempts(
          [attemptResult(b1!, retry), attemptResult(a1!, { kind: 'success' })],
          policy,
        ),
        two.queue.recordAttempts(
          [attemptResult(a2!, retry), attemptResult(b2!, { kind: 'success' })],
          policy,
        ),
      ]);
      expect(
        outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok')),
        `round ${round}`,
      ).toEqual(['ok', 'ok']);
      // The retries are not due for an hour; clear them so the next round claims only its own two.
      await schema.sql("UPDATE deliveries SET status = 'success', due_at = NULL WHERE status = 'pending'");
    }
  });
});
