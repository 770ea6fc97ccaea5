import { fairCap } from '../core/policy.js';
import type { ClaimedDelivery, FairTerms } from '../store/store.js';

/**
 * Fair sharing of one worker's slots (README, Isolation). Claims take each
 * application's oldest due work first, so an endpoint with a backlog (a slow
 * or dead receiver, one tenant's flood) would otherwise fill every slot and
 * queue ahead of everyone.
 * An endpoint may fill `share` slots of this worker (fewer once it is seen to be
 * slow), and the last `share` free slots only go to endpoints with nothing in
 * flight here, so several endpoints with backlogs, each within its share, still
 * leave room for the next one. A claim that would give an endpoint more is
 * handed back, and the endpoint is capped in the store (shareSlots):
 * its deliveries are parked and claimed per endpoint, at most its cap in flight
 * across every worker, so its backlog no longer stands in the plain queue. The
 * cap follows the endpoint's latency (core/policy.ts fairCap) and goes once it
 * holds nothing back, the endpoint's open deliveries fewer than it
 * (DeliveryQueue.unshare).
 */
export interface FairShare {
  /** Free slots kept for endpoints with nothing in flight: a claim's gated endpoints never take them (terms keepFree). */
  readonly reserve: number;
  /** Splits a claimed batch into what starts now and what goes back, with the caps to set. */
  admit(claims: readonly ClaimedDelivery[]): Admitted;
  /**
   * An attempt ended (durationMs: null when it never ran): frees its slot and
   * learns the endpoint's latency. Returns a cap to store when a capped
   * endpoint's latency calls for another one.
   */
  ended(claim: ClaimedDelivery, durationMs: number | null): Cap | null;
  /**
   * Whether a capped endpoint has room for a claim worth making: a quarter of
   * its cap free (in this worker's count). Claiming after every completion
   * would cost a claim per delivery or two; this keeps claims batched, like
   * the scheduler's minBatch for the plain queue. A fast endpoint always has
   * room: it may borrow (below).
   */
  roomFor(endpointId: string): boolean;
  /**
   * What this worker's claims ask of the store (store.ts FairTerms; none when
   * fair sharing is off): the reserve kept free of gated endpoints, and the
   * borrowers, capped endpoints this worker saw answer within
   * BORROW_LATENCY_MS, lent what the rest of the queue leaves idle. Caps are
   * for isolation, not a throttle: a lone busy endpoint still gets the whole
   * worker.
   */
  terms(): FairTerms | undefined;
}

export interface Cap {
  endpointId: string;
  cap: number;
}
export interface Admitted {
  start: ClaimedDelivery[];
  handBack: ClaimedDelivery[];
  caps: Cap[];
}

/** Weight of the newest attempt in an endpoint's latency average. */
const LATENCY_WEIGHT = 0.3;
/** A capped endpoint's cap is moved at most this often by this worker. */
const CAP_UPDATE_MS = 1000;
/** Bound on remembered endpoints; past it the oldest are forgotten (they are learned again). */
const MAX_TRACKED = 10_000;
/**
 * Only endpoints this fast borrow: a borrowed slot comes back within this
 * long, so work that comes due meanwhile waits for the next claim (which
 * serves it before lending again), not for the backlog. A slow or dead
 * endpoint never borrows.
 */
const BORROW_LATENCY_MS = 250;
/** Borrowers named in one claim: a bound on the claim's parameters. */
const MAX_BORROWERS = 100;

/** The store enforces these limits itself, across workers; fair sharing leaves them alone. */
const ownRule = (c: ClaimedDelivery): boolean => c.endpoint.maxInFlight !== null || c.endpoint.ordered;

export function createFairShare(share: number, slots: number, now: () => number = Date.now): FairShare {
  // The last `reserve` free slots go only to endpoints with nothing in flight here, and the
  // store's gated claim leaves them alone (terms keepFree); nothing to keep when one share
  // is the whole worker.
  const reserve = share > 0 && share < slots ? share : 0;
  const inFlight = new Map<string, number>();
  let busy = 0;
  // Latency average of every endpoint this worker sent to (bounded: past MAX_TRACKED the oldest is forgotten).
  const latency = new Map<string, number>();
  // Capped endpoints: the cap last known to the store, when this worker last moved it.
  const tracked = new Map<string, { cap: number; movedAt: number }>();

  const fast = (id: string) => (latency.get(id) ?? Number.POSITIVE_INFINITY) <= BORROW_LATENCY_MS;
  /** What one endpoint may hold here: the share, less for a slow one (core/policy.ts fairCap). */
  const allowed = (id: string) => fairCap(share, latency.get(id) ?? null);

  function remember<V>(map: Map<string, V>, id: string, value: V): void {
    if (!map.has(id) && map.size >= MAX_TRACKED) map.delete(map.keys().next().value as string);
    map.set(id, value);
  }
  function track(endpointId: string, cap: number): void {
    const t = tracked.get(endpointId);
    if (t) t.cap = cap;
    else remember(tracked, endpointId, { cap, movedAt: now() });
  }

  return {
    reserve,
    admit(claims) {
      const admitted: Admitted = { start: [], handBack: [], caps: [] };
      const cappedNow = new Set<string>();
      for (const c of claims) {
        const id = c.endpoint.id;
        const n = inFlight.get(id) ?? 0;
        if (share > 0 && c.endpoint.fairCap !== null) track(id, c.endpoint.fairCap);
        // Uncapped in the store since (unshare): no longer a borrower, nor a reason to claim after each result.
        else if (!cappedNow.has(id)) tracked.delete(id);
        // An endpoint already capped, or with its own rule, is bounded by the store's count, across workers.
        const free = slots - busy;
        if (
          share > 0 &&
          c.endpoint.fairCap === null &&
          !ownRule(c) &&
          (n >= allowed(id) || (n > 0 && free <= reserve))
        ) {
          // Handed back uncapped, it would be due again at the head of the queue: cap it with the hand-back.
          admitted.handBack.push(c);
          if (!cappedNow.has(id)) {
            cappedNow.add(id);
            const cap = allowed(id);
            track(id, cap);
            admitted.caps.push({ endpointId: id, cap });
          }
          continue;
        }
        inFlight.set(id, n + 1);
        busy++;
        admitted.start.push(c);
      }
      return admitted;
    },
    ended(claim, durationMs) {
      const id = claim.endpoint.id;
      const n = (inFlight.get(id) ?? 1) - 1;
      if (n > 0) inFlight.set(id, n);
      else inFlight.delete(id);
      busy = Math.max(0, busy - 1);
      if (durationMs === null || share <= 0) return null;
      const last = latency.get(id);
      remember(latency, id, last === undefined ? durationMs : last + LATENCY_WEIGHT * (durationMs - last));
      const t = tracked.get(id);
      if (!t) return null;
      const want = allowed(id);
      if (want === t.cap || now() - t.movedAt < CAP_UPDATE_MS) return null;
      t.cap = want;
      t.movedAt = now();
      return { endpointId: id, cap: want };
    },
    roomFor(endpointId) {
      const t = tracked.get(endpointId);
      if (!t) return false;
      return (
        fast(endpointId) || t.cap - (inFlight.get(endpointId) ?? 0) >= Math.max(1, Math.floor(t.cap / 4))
      );
    },
    terms() {
      if (share <= 0) return undefined;
      const borrowers: string[] = [];
      for (const id of tracked.keys()) {
        if (!fast(id)) continue;
        borrowers.push(id);
        if (borrowers.length >= MAX_BORROWERS) break;
      }
      return { keepFree: reserve, borrowers };
    },
  };
}
