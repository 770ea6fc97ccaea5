import { describe, expect, it } from 'vitest';
import { HooklineError } from '../../src/core/errors.js';
import { clientConfigFor, createDb } from '../../src/store/postgres/db.js';
import { createTestSchema, postgresAvailable } from '../helpers/postgres.js';

const available = await postgresAvailable();

describe.skipIf(!available)('a connection lost in the middle of a transaction', () => {
  it('fails that transaction with a stable code, does not crash the process, and the pool goes on', async () => {
    const schema = await createTestSchema('lost'); // holds the server lock: no restart test meanwhile
    const db = createDb(clientConfigFor(schema.url), 2);
    try {
      const outcome = db.tx(async (q) => {
        const [me] = await q<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // As a server restart does: the server ends this session between two statements.
        await db.query('SELECT pg_terminate_backend($1)', [me!.pid]);
        // Let the server's FATAL message arrive while no statement is running (the 'error' event).
        await new Promise((r) => setTimeout(r, 300));
        return q('SELECT 1');
      });
      const error = await outcome.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HooklineError);
      expect((error as HooklineError).code).toBe('STORE_UNAVAILABLE');
      // The dead connection was not handed back: every later call works.
      for (let i = 0; i < 4; i++)
        await expect(db.tx((q) => q('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
      expect(db.pool.totalCount).toBeLessThanOrEqual(2);
    } finally {
      await db.pool.end();
      await schema.drop();
    }
  });
});
