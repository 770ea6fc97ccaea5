import { type Config, MAX_TIMER_MS } from '../config.js';
import {
  type AttemptResult,
  type ClaimedDelivery,
  type DeliveryQueue,
  type FreshTaker,
  PartialClaimError,
} from '../store/store.js';
import type { Emit } from './events.js';
import type { FairShare } from './fair-share.js';

/** What the scheduler needs of the worker it claims for. */
export interface Slots {
  /** Deliveries being sent now. */
  readonly inFlight: number;
  /** True while results cannot be stored: claiming more would only pile them up. */
  readonly paused: boolean;
  /** Sends a claimed delivery. */
  start(claim: ClaimedDelivery): void;
}

export interface SchedulerOptions {
  queue: Pick<DeliveryQueue, 'claimDue' | 'nextDueAt' | 'shareSlots'>;
  config: Pick<Config, 'concurrency' | 'leaseMs' | 'pollIntervalMs'>;
  now: () => Date;
  emit: Emit;
  slots: Slots;
  /** Which claims start and which go back (fair-share.ts). */
  fair: FairShare;
}

/** When to claim: wake-ups, polling, backoff after failed claims, the next due time, rate wake-ups. */
export interface Scheduler {
  /** Claims at once, then whenever work may be waiting. */
  start(): void;
  /** New work arrived: claim within a few ms instead of at the next poll. */
  wake(): void;
  /** Work comes due in `ms` (a retry): look again then, if nothing sooner is planned. */
  wakeAfter(ms: number): void;
  /** A result was stored; call pump() after the batch. */
  recorded(result: AttemptResult): void;
  /** Claims now if work may be waiting and enough slots are free. */
  pump(): void;
  /** Stops claiming; returns the claim under way, which resolves once it has started what it leased. */
  stop(): Promise<void> | null;
  /** Takes deliveries as they are accepted, when the store can hand them over (Store.handOffTo). */
  readonly taker: FreshTaker;
}

const MAX_CLAIM_BACKOFF_MS = 5000;
/** How soon an idle worker looks again when the earliest due time has already passed. */
const PAST_DUE_RECHECK_MS = 250;
/** How long a wake-up waits for others to share its claim; bounds the latency it adds. */
const WAKE_COALESCE_MS = 3;
/** A rate-limited endpoint with a backlog is claimed again after each token, but not more often than this. */
const MIN_RATE_WAKE_MS = 50;

/**
 * One timer for the earliest wake-up asked for: a later one does not
 * postpone it, a sooner one replaces it.
 */
function earliestTimer(fire: () => void) {
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  return {
    in(delay: number): void {
      const at = Date.now() + delay;
      if (timer && timerAt <= at) return;
      if (timer) clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(() => {
        timer = null;
        timerAt = Number.POSITIVE_INFINITY;
        fire();
      }, delay);
    },
    clear(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Whether the store limits this endpoint per claim, so a finished attempt may free a slot for another. */
const gated = (c: ClaimedDelivery): boolean =>
  c.endpoint.maxInFlight !== null || c.endpoint.ordered || c.endpoint.rateLimit !== null;

export function createScheduler({ queue, config, now, emit, slots, fair }: SchedulerOptions): Scheduler {
  // Refill in chunks when busy, so a saturated worker issues one claim per
  // several completions rather than one per completion.
  const minBatch = Math.max(1, Math.floor(config.concurrency / 4));
  // Deliveries of gated endpoints in flight: recording one may let the next claim take more.
  const gatedInFlight = new Set<string>();
  let active = false;
  let claiming: Promise<void> | null = null;
  let claimFailures = 0;
  // Whether due work may be waiting: set by wake(), timers and full claims;
  // cleared when a claim comes back short, so completions do not re-query an empty queue.
  let wanted = true;
  let pumpQueued = false;
  const timer = earliestTimer(() => {
    wanted = true;
    pump();
  });

  function wakeAfter(ms: number): void {
    if (!active) return;
    // A retry weeks away (a long schedule, a Retry-After) would overflow the timer and fire
    // at once; waking at the timer's limit and looking again is enough.
    timer.in(Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms))));
  }

  function pump(): void {
    if (!active || claiming || !wanted || slots.paused) return;
    const busy = slots.inFlight;
    const free = config.concurrency - busy;
    if (free <= 0 || (busy > 0 && free < minBatch)) return;
    wanted = false;
    claiming = claim(free).finally(() => {
      claiming = null;
      pump();
    });
  }

  async function claim(limit: number): Promise<void> {
    let claims: ClaimedDelivery[];
    try {
      claims = await queue.claimDue({
        limit,
        leaseMs: config.leaseMs,
        now: now(),
        fair: fair.terms(),
      });
      claimFailures = 0;
      emit('claimed', claims.length);
    } catch (error) {
      if (error instanceof PartialClaimError) await takeFairly(error.claims);
      claimFailures++;
      const retryInMs = Math.min(50 * 2 ** claimFailures, MAX_CLAIM_BACKOFF_MS);
      emit('error', { op: 'claim', error, retryInMs });
      wakeAfter(retryInMs);
      return;
    }
    await takeFairly(claims);
    if (claims.length >= limit) wanted = true;
    else if (claims.length > 0) wakeAfter(config.pollIntervalMs);
    else if (!wanted) await sleepUntilDue();
  }

  /**
   * Starts what fair sharing admits and hands the rest back, capping the
   * endpoints that asked for more than their share. If that write fails the
   * leases are still ours: send them rather than strand them until they expire.
   */
  async function takeFairly(claims: readonly ClaimedDelivery[]): Promise<void> {
    const { start, handBack, caps } = fair.admit(claims);
    take(start);
    if (handBack.length === 0 && caps.length === 0) return;
    try {
      await queue.shareSlots(caps, handBack);
    } catch (error) {
      emit('error', { op: 'share', error, retryInMs: null });
      take(handBack);
    }
  }

  /**
   * Starts claimed deliveries. They are ours even if stop() began meanwhile:
   * send them rather than leave them to wait for their lease to expire.
   */
  function take(claims: readonly ClaimedDelivery[]): void {
    let rateWake = Number.POSITIVE_INFINITY;
    for (const c of claims) {
      if (gated(c)) gatedInFlight.add(c.deliveryId);
      if (c.endpoint.rateLimit !== null) rateWake = Math.min(rateWake, 1000 / c.endpoint.rateLimit);
      slots.start(c);
    }
    // A rate-limited backlog earns a token every 1/rate s; claim again then rather than at the next poll.
    if (rateWake !== Number.POSITIVE_INFINITY) wakeAfter(Math.max(MIN_RATE_WAKE_MS, rateWake));
  }

  async function sleepUntilDue(): Promise<void> {
    let ms = config.pollIntervalMs;
    try {
      const due = await queue.nextDueAt();
      // A due time in the past means something became due after our claim
      // looked, or is due but not claimable (another worker's, a policy): look
      // again soon, but not in a tight loop.
      if (due) {
        const until = due.getTime() - now().getTime();
        ms = Math.min(until > 0 ? until : PAST_DUE_RECHECK_MS, ms);
      }
    } catch (error) {
      emit('error', { op: 'nextDueAt', error, retryInMs: ms });
    }
    wakeAfter(ms);
  }

  return {
    start() {
      active = true;
      wanted = true;
      pump();
    },
    wake() {
      if (!active) return;
      wanted = true;
      // Coalesce wake-ups (one per accepted message) arriving within a few
      // milliseconds into one claim: a claim is a write transaction, and one per
      // message would cost more than the delivery itself under load.
      if (pumpQueued) return;
      pumpQueued = true;
      setTimeout(() => {
        pumpQueued = false;
        pump();
      }, WAKE_COALESCE_MS);
    },
    wakeAfter,
    recorded(result) {
      // A freed slot (in-flight or fair-share cap, ordered head), a closed breaker or queued
      // operational events may have made work claimable: look again.
      if (
        gatedInFlight.delete(result.deliveryId) ||
        fair.roomFor(result.attempt.endpointId) ||
        result.attempt.status !== 'success'
      )
        wanted = true;
    },
    pump,
    stop() {
      active = false;
      timer.clear();
      return claiming;
    },
    taker: {
      leaseMs: config.leaseMs,
      // Only once the last claim came back short (nothing older is due, so fresh
      // work may go first), none is under way, and the worker is claiming at all.
      room: () =>
        active && !wanted && !claiming && !slots.paused
          ? Math.max(0, config.concurrency - slots.inFlight)
          : 0,
      fair: () => fair.terms(),
      take(claims) {
        emit('claimed', claims.length);
        void takeFairly(claims);
      },
    },
  };
}
