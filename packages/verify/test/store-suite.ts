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
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  };

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
    expect(await store.claim(id, randomUUID(), 150)).toBe('claimed');
    const guard = createIdempotencyGuard(await makeStore(), { lockMs: 150 });
    expect(await guard.once(id, () => 'too early')).toEqual({ status: 'in_progress' });
    await sleep(600);
    expect(await guard.once(id, () => 'taken over')).toEqual({ status: 'processed', result: 'taken over' });
  });

  // A's lock expires while its handler still runs, B takes the id over, then A finishes.
  for (const ending of ['throws', 'completes'] as const) {
    it(`leaves the claim that took over untouched when the expired one ${ending}`, async () => {
      const id = newId();
      let calls = 0;
      const guardA = createIdempotencyGuard(await makeStore(), { lockMs: 150 });
      const guardB = createIdempotencyGuard(await makeStore(), { lockMs: 60_000 });
      const guardC = createIdempotencyGuard(await makeStore(), { lockMs: 60_000 });
      const a = deferred();
      const b = deferred();
      const bStarted = deferred();

      const deliveryA = guardA.once(id, async () => {
        calls++;
        await a.promise;
        if (ending === 'throws') throw new Error('A failed late');
        return 'A';
      });
      await sleep(600);
      const deliveryB = guardB.once(id, async () => {
        calls++;
        bStarted.resolve();
        await b.promise;
        return 'B';
      });
      await bStarted.promise;

      a.resolve();
      if (ending === 'throws') await expect(deliveryA).rejects.toThrow('A failed late');
      else expect(await deliveryA).toEqual({ status: 'processed', result: 'A' });

      // B still holds the id: neither deleted nor overwritten by A.
      expect(await guardC.once(id, () => ++calls)).toEqual({ status: 'in_progress' });
      b.resolve();
      expect(await deliveryB).toEqual({ status: 'processed', result: 'B' });
      expect(await guardC.once(id, () => ++calls)).toEqual({ status: 'duplicate' });
      expect(await guardA.once(id, () => ++calls)).toEqual({ status: 'duplicate' });
      expect(calls).toBe(2);
    });
  }

  it('records a completion whose lock expired when no one took the id over', async () => {
    const id = newId();
    let calls = 0;
    const guard = createIdempotencyGuard(await makeStore(), { lockMs: 150 });
    expect(
      await guard.once(id, async () => {
        calls++;
        await sleep(600);
        return 'slow';
      }),
    ).toEqual({ status: 'processed', result: 'slow' });
    const other = createIdempotencyGuard(await makeStore(), { lockMs: 150 });
    expect(await other.once(id, () => ++calls)).toEqual({ status: 'duplicate' });
    expect(calls).toBe(1);
  });
}
