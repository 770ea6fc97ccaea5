import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../../src/store/store.js';
import { attemptResult, endpointInput, POLICY } from '../helpers/fixtures.js';
import type { Conformance } from './conformance.js';

const MINUTE = 60_000;

/** AttemptRepo.countByTime: attempts by outcome in time buckets, scoped (the stats route's read). */
export function attemptCountsConformance(t: Conformance) {
  describe('attempt counts by time', () => {
    it('counts attempts in [since, until) by minute and by hour, for all apps, one app, one endpoint', async () => {
      const store = t.store();
      const a = await t.newApp();
      const b = await t.newApp();
      const ep1 = await store.endpoints.create(a.id, endpointInput({ filterTypes: ['one'] }));
      const ep2 = await store.endpoints.create(a.id, endpointInput({ filterTypes: ['two'] }));
      const ep3 = await store.endpoints.create(b.id, endpointInput());
      // Three hours back, on the hour: attempts recorded now with an older createdAt (ids made now).
      const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
      const plan: { app: string; type: string; at: number; ok: boolean }[] = [
        { app: a.id, type: 'one', at: base + 10_000, ok: true },
        { app: a.id, type: 'one', at: base + 20_000, ok: false },
        { app: a.id, type: 'one', at: base + MINUTE + 5_000, ok: true },
        { app: a.id, type: 'one', at: base + 5 * MINUTE, ok: false },
        { app: a.id, type: 'one', at: base - 1, ok: true }, // before since
        { app: a.id, type: 'one', at: base + 10 * MINUTE, ok: true }, // at until: left out
        { app: a.id, type: 'two', at: base + MINUTE, ok: true },
        { app: b.id, type: 'three', at: base + MINUTE + 59_999, ok: false },
      ];
      const byMessage = new Map<string, (typeof plan)[number]>();
      for (const p of plan) byMessage.set((await t.send(p.app, p.type)).message.id, p);
      const claims: ClaimedDelivery[] = await store.queue.claimDue({ limit: 100, leaseMs: 60_000 });
      expect(claims).toHaveLength(plan.length);
      await store.queue.recordAttempts(
        claims.map((c) => {
          const p = byMessage.get(c.message.id)!;
          return attemptResult(c, p.ok ? { kind: 'success' } : { kind: 'fail' }, {
            createdAt: new Date(p.at),
          });
        }),
        POLICY,
      );
      const since = new Date(base);
      const until = new Date(base + 10 * MINUTE);
      const bucket = (ms: number, success: number, fail: number) => ({ start: new Date(ms), success, fail });

      expect(await store.attempts.countByTime({ since, until, bucketMs: MINUTE })).toEqual([
        bucket(base, 1, 1),
        bucket(base + MINUTE, 2, 1),
        bucket(base + 5 * MINUTE, 0, 1),
      ]);
      expect(await store.attempts.countByTime({ since, until, bucketMs: MINUTE, appId: a.id })).toEqual([
        bucket(base, 1, 1),
        bucket(base + MINUTE, 2, 0),
        bucket(base + 5 * MINUTE, 0, 1),
      ]);
      expect(
        await store.attempts.countByTime({ since, until, bucketMs: MINUTE, appId: a.id, endpointId: ep2.id }),
      ).toEqual([bucket(base + MINUTE, 1, 0)]);
      expect(
        await store.attempts.countByTime({ since, until, bucketMs: MINUTE, appId: b.id, endpointId: ep3.id }),
      ).toEqual([bucket(base + MINUTE, 0, 1)]);
      // By the hour: the attempt before `since` falls in the hour before; the one at `until` is in this hour now.
      expect(
        await store.attempts.countByTime({
          since: new Date(base - 3_600_000),
          until: new Date(base + 3_600_000),
          bucketMs: 3_600_000,
          appId: a.id,
          endpointId: ep1.id,
        }),
      ).toEqual([bucket(base - 3_600_000, 1, 0), bucket(base, 3, 2)]);
      // A window with nothing in it, and another app's endpoint under this app: nothing.
      expect(
        await store.attempts.countByTime({ since: new Date(base + 6 * MINUTE), until, bucketMs: MINUTE }),
      ).toEqual([]);
      expect(
        await store.attempts.countByTime({ since, until, bucketMs: MINUTE, appId: a.id, endpointId: ep3.id }),
      ).toEqual([]);
    });
  });
}
