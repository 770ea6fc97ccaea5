import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { clientConfigFor, createDb, type Db } from '../../src/store/postgres/db.js';
import { postgresQueue } from '../../src/store/postgres/queue.js';
import { type EndpointInput, PartialClaimError, type Store } from '../../src/store/store.js';
import { attemptResult, endpointInput } from '../helpers/fixtures.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { POLICY } from '../helpers/fixtures.js';

/**
 * PostgreSQL keeps deliveries of gated endpoints (rate limit, in-flight cap,
 * ordered, open breaker) out of the due index the plain claim walks
 * (migration 006): `parked` is set at insert and kept by a trigger on the
 * endpoint's gating fields. Queue behaviour is covered by the conformance
 * suite; this checks the bookkeeping, and that parked work is still claimed.
 */
const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL parked deliveries', () => {
  let schema: TestSchema;
  let store: Store;
  beforeAll(async () => {
    schema = await createTestSchema('parking');
  });
  afterAll(async () => {
    await schema?.drop();
  });
  // A fresh store per test: the gated claim caches "no gated endpoint" for a second.
  beforeEach(async () => {
    store = await openStore(schema.url);
    await schema.sql('TRUNCATE applications, endpoints, messages, deliveries, attempts CASCADE');
  });
  afterEach(async () => {
    await store?.close();
  });

  const app = () => store.apps.create({ uid: null, name: 'a', rateLimit: null, metadata: {} });
  const send = async (appId: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      await store.messages.create({
        appId,
        eventType: 'e',
        eventId: null,
        payload: '{}',
        channels: null,
        tags: null,
      });
    }
  };
  const parked = async (endpointId: string) =>
    (
      await schema.sql<{ parked: boolean }>(
        'SELECT parked FROM deliveries WHERE endpoint_id = $1 ORDER BY id',
        [endpointId],
      )
    ).map((r) => r.parked);
  const rows = (endpointId: string) =>
    schema.sql<{ status: string; parked: boolean }>(
      'SELECT status, parked FROM deliveries WHERE endpoint_id = $1 ORDER BY id',
      [endpointId],
    );
  const claim = (limit = 100) => store.queue.claimDue({ limit, leaseMs: 60_000 });

  it('stores deliveries of gated endpoints parked and of plain ones not', async () => {
    const a = await app();
    const gates: Partial<EndpointInput>[] = [{ rateLimit: 1 }, { maxInFlight: 1 }, { ordered: true }];
    const gated = await Promise.all(gates.map((g) => store.endpoints.create(a.id, endpointInput(g))));
    const broken = await store.endpoints.create(a.id, endpointInput());
    await schema.sql('UPDATE endpoints SET breaker_open = true WHERE id = $1', [broken.id]);
    const plain = await store.endpoints.create(a.id, endpointInput());
    await send(a.id, 2);

    for (const e of [...gated, broken]) expect(await parked(e.id)).toEqual([true, true]);
    expect(await parked(plain.id)).toEqual([false, false]);
  });

  it('parks open deliveries when the endpoint becomes gated and unparks them after, finished ones untouched', async () => {
    const a = await app();
    const ep = await store.endpoints.create(a.id, endpointInput());
    await send(a.id, 3);
    const [c1, c2, c3] = await claim();
    await store.queue.recordAttempts(
      [attemptResult(c1!, { kind: 'success' }), attemptResult(c2!, { kind: 'fail' })],
      POLICY,
    );
    await send(a.id); // pending
    expect(await rows(ep.id)).toEqual([
      { status: 'success', parked: false },
      { status: 'fail', parked: false },
      { status: 'sending', parked: false },
      { status: 'pending', parked: false },
    ]);

    let current = await store.endpoints.update(a.id, ep.id, { ...ep, maxInFlight: 2 });
    expect(await parked(ep.id)).toEqual([false, false, true, true]);
    // Another gate instead: still gated, nothing moves.
    current = await store.endpoints.update(a.id, ep.id, { ...current, maxInFlight: null, rateLimit: 10 });
    expect(await parked(ep.id)).toEqual([false, false, true, true]);

    // Finished while parked: stays as it was when the gate is lifted.
    await store.queue.recordAttempts([attemptResult(c3!, { kind: 'success' })], POLICY);
    current = await store.endpoints.update(a.id, ep.id, { ...current, rateLimit: null });
    expect(await rows(ep.id)).toEqual([
      { status: 'success', parked: false },
      { status: 'fail', parked: false },
      { status: 'success', parked: true },
      { status: 'pending', parked: false },
    ]);

    // The breaker has no endpoint API: it is the health code's (or here our) UPDATE.
    await schema.sql('UPDATE endpoints SET breaker_open = true WHERE id = $1', [ep.id]);
    expect(await parked(ep.id)).toEqual([false, false, true, true]);
    await schema.sql('UPDATE endpoints SET breaker_open = false WHERE id = $1', [ep.id]);
    expect(await parked(ep.id)).toEqual([false, false, true, false]);

    await store.endpoints.update(a.id, ep.id, { ...current, ordered: true });
    expect(await parked(ep.id)).toEqual([false, false, true, true]);
  });

  it('claims parked deliveries through the gate, and a parked backlog does not hold up other endpoints', async () => {
    const busy = await app();
    const capped = await store.endpoints.create(busy.id, endpointInput({ maxInFlight: 1 }));
    await send(busy.id, 50); // older than the other endpoint's work
    const quiet = await app();
    const plain = await store.endpoints.create(quiet.id, endpointInput());
    await send(quiet.id);

    const first = await claim(2);
    expect(first.map((c) => c.endpoint.id).sort()).toEqual([capped.id, plain.id].sort());
    expect(await claim()).toEqual([]); // the cap is reached, the plain work taken

    // Lifting the cap unparks the backlog and the plain claim takes all of it.
    await store.endpoints.update(busy.id, capped.id, { ...capped, maxInFlight: null });
    expect((await parked(capped.id)).every((p) => !p)).toBe(true);
    const rest = await claim();
    expect(rest).toHaveLength(49);
    expect(new Set(rest.map((c) => c.endpoint.id))).toEqual(new Set([capped.id]));
  });

  it('counts parked deliveries in nextDueAt', async () => {
    const a = await app();
    const ep = await store.endpoints.create(a.id, endpointInput({ rateLimit: 1 }));
    expect(await store.queue.nextDueAt()).toBeNull();
    await send(a.id);
    const [row] = await schema.sql<{ due_at: Date; parked: boolean }>(
      'SELECT due_at, parked FROM deliveries',
    );
    expect(row!.parked).toBe(true);
    expect(await store.queue.nextDueAt()).toEqual(row!.due_at);

    // Leased, it is due again when the lease runs out.
    const [c] = await claim();
    expect(c!.endpoint.id).toBe(ep.id);
    const [leased] = await schema.sql<{ due_at: Date; parked: boolean }>(
      'SELECT due_at, parked FROM deliveries',
    );
    expect(leased!.parked).toBe(true);
    expect(leased!.due_at.getTime()).toBeGreaterThan(row!.due_at.getTime());
    expect(await store.queue.nextDueAt()).toEqual(leased!.due_at);
  });

  it('reports a plain claim that fails after the gated one, with the gated leases it committed', async () => {
    const a = await app();
    const capped = await store.endpoints.create(a.id, endpointInput({ maxInFlight: 1 }));
    await store.endpoints.create(a.id, endpointInput());
    await send(a.id);
    const db = createDb(clientConfigFor(schema.url));
    // The plain claim is the statement that walks unparked rows; make only it fail.
    const failingPlain: Db = {
      ...db,
      query: (text, values, opts) =>
        text.includes('NOT d.parked')
          ? Promise.reject(new Error('connection lost'))
          : db.query(text, values, opts),
    };
    try {
      const failed = await postgresQueue(failingPlain, { poke() {} })
        .claimDue({ limit: 10, leaseMs: 60_000 })
        .then(
          () => null,
          (err: unknown) => err,
        );
      // The failure is reported, and the committed gated lease comes with it.
      expect(failed).toBeInstanceOf(PartialClaimError);
      expect((failed as PartialClaimError).claims.map((c) => c.endpoint.id)).toEqual([capped.id]);
    } finally {
      await db.pool.end();
    }
  });

  it("leaves a fast capped endpoint to the plain claim's lending while the plain queue leaves room, and serves its quota first once it does not", async () => {
    const a = await app();
    const fast = await store.endpoints.create(a.id, endpointInput({ filterTypes: ['fast'] }));
    await store.endpoints.create(a.id, endpointInput({ filterTypes: ['plain'] }));
    const sendOf = async (eventType: string, n: number) => {
      for (let i = 0; i < n; i++)
        await store.messages.create({
          appId: a.id,
          eventType,
          eventId: null,
          payload: '{}',
          channels: null,
          tags: null,
        });
    };
    await store.queue.shareSlots([{ endpointId: fast.id, cap: 4 }], []);
    const db = createDb(clientConfigFor(schema.url));
    let transactions = 0;
    const counted: Db = {
      ...db,
      tx: (fn, what) => {
        transactions++;
        return db.tx(fn, what);
      },
    };
    const queue = postgresQueue(counted, { poke() {} });
    const fair = { keepFree: 0, borrowers: [fast.id] };
    /** One claim of 10: which endpoint each delivery is for, and whether the gated claim's transaction ran. */
    const claim = async () => {
      const before = transactions;
      const claims = await queue.claimDue({ limit: 10, leaseMs: 60_000, fair });
      await queue.recordAttempts(
        claims.map((c) => attemptResult(c, { kind: 'success' })),
        POLICY,
      );
      const of = claims.map((c) => (c.endpoint.id === fast.id ? 'fast' : 'plain'));
      return {
        fast: of.filter((e) => e === 'fast').length,
        plain: of.length - of.filter((e) => e === 'fast').length,
        gatedClaim: transactions > before,
      };
    };
    try {
      // The first claim serves the capped endpoint's quota in the gated claim's transaction.
      await sendOf('fast', 3);
      expect(await claim()).toEqual({ fast: 3, plain: 0, gatedClaim: true });
      // The plain queue left room: the plain statement lends it all, past the cap, without that transaction.
      await sendOf('fast', 6);
      expect(await claim()).toEqual({ fast: 6, plain: 0, gatedClaim: false });
      // A plain backlog fills this claim: nothing is left to lend...
      await sendOf('plain', 20);
      await sendOf('fast', 6);
      expect(await claim()).toEqual({ fast: 0, plain: 10, gatedClaim: false });
      // ...so the next claim serves the capped endpoint's quota (its cap, 4) first again.
      expect(await claim()).toEqual({ fast: 4, plain: 6, gatedClaim: true });
      // Only lendable endpoints are left out: once its breaker is open (the plain claim never lends to it),
      // the gated claim serves its probe though it is still named a borrower and the plain queue leaves room.
      expect(await claim()).toEqual({ fast: 2, plain: 4, gatedClaim: true });
      await sendOf('fast', 2);
      await schema.sql('UPDATE endpoints SET breaker_open = true WHERE id = $1', [fast.id]);
      await schema.sql(
        "UPDATE endpoint_state SET breaker_retry_at = now() - interval '1 second' WHERE endpoint_id = $1",
        [fast.id],
      );
      // Opened by another process: seen once the second this one trusts "no gated endpoint but the lendable
      // borrowers" has passed (a breaker this process opens clears that at once, recordAttempts).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await claim()).toEqual({ fast: 1, plain: 0, gatedClaim: true });
    } finally {
      await db.pool.end();
    }
  });
});
