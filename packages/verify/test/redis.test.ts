import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { redisStore } from '@hookline/verify';
import { REDIS_URL, describeWithService, probeRedis } from './services.js';
import { idempotencyStoreSuite } from './store-suite.js';

const unreachable = await probeRedis();
// A key prefix per test file run, deleted afterwards.
const prefix = `hookline-verify-test:${randomUUID()}:`;

describeWithService('Redis store', unreachable, () => {
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(REDIS_URL);
    clients.push(c);
    return c;
  };

  afterAll(async () => {
    const admin = client();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  // Each store has its own connection: many processes sharing one Redis.
  idempotencyStoreSuite(() => redisStore(client(), { prefix }));

  it('stores claims as SET NX PX keys under the prefix', async () => {
    const c = client();
    const store = redisStore(c, { prefix });
    expect(await store.claim('k', 'token-1', 60_000)).toBe('claimed');
    expect(await c.get(`${prefix}k`)).toBe('pending:token-1');
    const ttl = await c.pttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.complete('k', 'token-1', 120_000);
    expect(await c.get(`${prefix}k`)).toBe('done');
    expect(await store.claim('k', 'token-2', 60_000)).toBe('completed');
  });
});
