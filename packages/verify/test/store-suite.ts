import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { type IdempotencyStore, createIdempotencyGuard } from '@hookline/verify';

/**
 * The one suite every idempotency store passes. `makeStore` may be called
 * several times in a test: each call stands for another process sharing the
 * same backend (another connection, pool or client).
 */
export function idempotencyStoreSuite(makeStore: () => IdempotencyStore | Promise<IdempotencyStore>): void {
  const newId = () => `msg_${randomUUID()}`;

  it('runs the handler once and reports a later delivery as a duplicate', async () => {
    const guard = createIdempotencyGuard(await makeStore());
    const id = newId();
    let calls = 0;
    expect(await guard.once(id, () => ++calls)).toEqual({ status: 'processed', result: 1 });
    expect(await guard.once(id, () => ++calls)).toEqual({ status: 'duplicate' });
    expect(calls).toBe(1);
    // Another id is independent.
    expect(await guard.once(newId(), () => ++calls)).toEqual({ status: 'processed', result: 2 });
  });

  it('runs the handler exactly once for 50 concurrent duplicates of one id', async () => {
    const guards = [createIdempotencyGuard(await makeStore()), createIdempotencyGuard(await makeStore())];
    const id = newId();
    let calls = 0;
    const handler = async () => {
      calls++;
      // Stay in flight so the other deliveries overlap with this one.
      await sleep(50);
      return 'done';
    };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => guards[i % 2]!.once(id, handler)));
    expect(calls).toBe(1);
    expect(results.filter((r) => r.status === 'processed')).toEqual([
      { status: 'processed', result: 'done' },
    ]);
    for (const r of results) expect(['processed', 'in_progress', 'duplicate']).toContain(r.status);
    expect(await guards[0]!.once(id, handler)).toEqual({ status: 'duplicate' });
  });

  it('releases the claim when the handler throws, so the retry processes it', async () => {
    const guard = createIdempotencyGuard(await makeStore());
    const id = newId();
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return 'ok';
    };
    await expect(guard.once(id, flaky)).rejects.toThrow('database down');
    expect(await guard.once(id, flaky)).toEqual({ status: 'processed', result: 'ok' });
    expect(await guard.once(id, flaky)).toEqual({ status: 'duplicate' });
    expect(calls).toBe(2);
  });

  it('forgets a completed id after the retention time', async () => {
    const guard = createIdempotencyGuard(await makeStore(), { retentionMs: 150 });
    const id = newId();
    let calls = 0;
    await guard.once(id, () => calls++);
    expect((await guard.once(id, () => calls++)).status).toBe('duplicate');
    await sleep(600);
    expect((await guard.once(id, () => calls++)).status).toBe('processed');
    expect(calls).toBe(2);
  });

  it('lets a retry take over a claim whose lock expired (the claiming process died)', async () => {
    const store = await makeStore();
    const id = newId();
    expect(await store.claim(id, 150)).toBe('claimed');
    const guard = createIdempotencyGuard(await makeStore(), { lockMs: 150 });
    expect(await guard.once(id, () => 'too early')).toEqual({ status: 'in_progress' });
    await sleep(600);
    expect(await guard.once(id, () => 'taken over')).toEqual({ status: 'processed', result: 'taken over' });
  });
}
