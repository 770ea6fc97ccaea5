import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerPrune } from '../../src/cli/prune.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { produce, setUpEndpoint } from './cluster.js';
import { POLICY } from '../helpers/fixtures.js';

const available = await postgresAvailable();

describe.skipIf(!available)('hookline prune on PostgreSQL', () => {
  let schema: TestSchema;
  let store: Store;
  beforeAll(async () => {
    schema = await createTestSchema('prune');
    store = await openStore(schema.url);
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('deletes old messages with their deliveries and attempts in batches, and keeps newer ones', async () => {
    const appId = await setUpEndpoint(store, 'https://example.com/hook');
    await produce(store, appId, 50, 4);
    // Age the first 50 by a day, then add 5 fresh ones.
    await schema.sql("UPDATE messages SET created_at = created_at - interval '1 day'");
    await produce(store, appId, 5, 1);
    const claims = await store.queue.claimDue({ limit: 100, leaseMs: 60_000 });
    await store.queue.recordAttempts(
      claims.map((c) => ({
        deliveryId: c.deliveryId,
        leaseToken: c.leaseToken,
        outcome: { kind: 'success' as const },
        attempt: {
          appId,
          msgId: c.message.id,
          endpointId: c.endpoint.id,
          url: c.endpoint.url,
          status: 'success' as const,
          responseStatusCode: 200,
          response: 'ok',
          responseDurationMs: 1,
          errorClass: null,
          trigger: 'scheduled' as const,
          createdAt: new Date(),
        },
      })),
      POLICY,
    );

    let printed = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    const program = new Command('hookline').exitOverride();
    registerPrune(program);
    try {
      await program.parseAsync(
        ['prune', '--older-than', '1h', '--database', schema.url, '--batch-size', '7'],
        { from: 'user' },
      );
    } finally {
      out.mockRestore();
    }
    expect(printed).toMatch(/pruned 50 messages/);
    const left = await schema.sql<{ m: number; d: number; a: number }>(
      `SELECT (SELECT count(*) FROM messages)::int AS m, (SELECT count(*) FROM deliveries)::int AS d,
         (SELECT count(*) FROM attempts)::int AS a`,
    );
    expect(left[0]).toEqual({ m: 5, d: 5, a: 5 });
  });

  it('rejects a bad duration with a message naming the option', async () => {
    const program = new Command('hookline').exitOverride();
    registerPrune(program);
    await expect(
      program.parseAsync(['prune', '--older-than', 'soon', '--database', schema.url], { from: 'user' }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('--older-than') });
  });

  it('checks --database like serve, refuses a period a timer cannot hold, and takes --pause 0', async () => {
    const run = (...args: string[]) => {
      const program = new Command('hookline').exitOverride();
      registerPrune(program);
      return program.parseAsync(['prune', '--older-than', '30d', ...args], { from: 'user' });
    };
    await expect(run('--database', 'sqlite:')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--database (HOOKLINE_DATABASE_URL): sqlite: needs a file path'),
    });
    // Over 24.8 days a timer fires at once: --every 30d used to prune in a tight loop.
    await expect(run('--database', schema.url, '--every', '30d')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--every: must be at most 24d'),
    });
    let printed = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      await run('--database', schema.url, '--pause', '0');
    } finally {
      out.mockRestore();
    }
    expect(printed).toMatch(/^pruned \d+ messages/);
  });
});
