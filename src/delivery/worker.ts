import { type Config, MAX_TIMER_MS } from '../config.js';
import type { EndpointPolicy } from '../store/policy.js';
import { DEFAULT_POLICY } from '../store/policy.js';
import { type AttemptResult, type ClaimedDelivery, PartialClaimError, type Store } from '../store/store.js';
import { describeError } from './classify.js';
import { createEmitter, type WorkerEvents } from './events.js';
import { createHeaderBuilder, type HeaderBuilder } from './headers.js';
import { createLeaseKeeper } from './leases.js';
import { decideOutcome, disableReason } from './outcome.js';
import { createRecorder } from './recorder.js';
import { createGuardedSender } from './guarded-sender.js';
import { type Sender, type SendResult, truncateText } from './sender.js';

export type WorkerConfig = Pick<
  Config,
  | 'requestTimeoutMs'
  | 'concurrency'
  | 'leaseMs'
  | 'pollIntervalMs'
  | 'retrySchedule'
  | 'allowPrivateNetworks'
  | 'allowedCidrs'
  | 'maxRetryAfterMs'
  | 'breakerThreshold'
  | 'breakerBackoffMs'
  | 'autoDisableAfterMs'
>;

export interface WorkerOptions {
  /** `watchDue`, when the store has it, wakes the worker on work accepted by other processes. */
  store: Pick<Store, 'queue' | 'watchDue'>;
  config: WorkerConfig;
  /** Defaults to an undici keep-alive sender with config.requestTimeoutMs; closed by stop() only when created here. */
  sender?: Sender;
  now?: () => Date;
  events?: WorkerEvents;
  /** For retry jitter. */
  random?: () => number;
  /** Group commit: results wait at most this long before being stored (default 5 ms)... */
  recordDelayMs?: number;
  /** ...or until this many are waiting (default: config.concurrency, at least 1). */
  recordBatchSize?: number;
  headers?: HeaderBuilder;
}

export interface Worker {
  start(): void;
  /** New work arrived: claim now instead of waiting for the next poll. */
  wake(): void;
  /** Stops claiming, lets attempts in flight finish (bounded by the request timeout), stores their results. */
  stop(): Promise<void>;
  /** Deliveries being sent right now. */
  readonly inFlight: number;
}

const MAX_CLAIM_BACKOFF_MS = 5000;
/** How soon an idle worker looks again when the earliest due time has already passed. */
const PAST_DUE_RECHECK_MS = 250;
/** How long a wake-up waits for others to share its claim; bounds the latency it adds. */
const WAKE_COALESCE_MS = 3;
/** A rate-limited endpoint with a backlog is claimed again after each token, but not more often than this. */
const MIN_RATE_WAKE_MS = 50;

/** Whether the store limits this endpoint per claim, so a finished attempt may free a slot for another. */
const gated = (c: ClaimedDelivery): boolean =>
  c.endpoint.maxInFlight !== null || c.endpoint.ordered || c.endpoint.rateLimit !== null;

/** A timer that does not keep the process alive on its own. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function createWorker(opts: WorkerOptions): Worker {
  const { store, config } = opts;
  const now = opts.now ?? (() => new Date());
  const emit = createEmitter(opts.events);
  const ownSender = opts.sender === undefined;
  // Never an unguarded client by default: the SSRF guard is part of sending.
  const sender = opts.sender ?? createGuardedSender(config);
  const buildHeaders = opts.headers ?? createHeaderBuilder();
  const policy: EndpointPolicy = {
    ...DEFAULT_POLICY,
    breakerThreshold: config.breakerThreshold,
    breakerBackoffMs: config.breakerBackoffMs,
    autoDisableAfterMs: config.autoDisableAfterMs,
  };
  // Deliveries of gated endpoints in flight: recording one may let the next claim take more.
  const gatedInFlight = new Set<string>();
  // Refill in chunks when busy, so a saturated worker issues one claim per
  // several completions rather than one per completion.
  const minBatch = Math.max(1, Math.floor(config.concurrency / 4));

  const leases = createLeaseKeeper({
    renew: (claims, leaseMs) => store.queue.renewLeases(claims, leaseMs),
    leaseMs: config.leaseMs,
    onLost: (ids) => emit('leaseLost', ids),
    onError: (error, retryInMs) => emit('error', { op: 'renew', error, retryInMs }),
  });
  const recorder = createRecorder({
    record: (results) => store.queue.recordAttempts(results, policy),
    maxBatch: opts.recordBatchSize ?? Math.max(1, config.concurrency),
    delayMs: opts.recordDelayMs ?? 5,
    onRecorded: (results) => {
      for (const r of results) {
        leases.release(r.deliveryId, r.leaseToken);
        // A freed slot (in-flight cap, ordered head), a closed breaker or queued
        // operational events may have made work claimable: look again.
        if (gatedInFlight.delete(r.deliveryId) || r.attempt.status !== 'success') wanted = true;
      }
      emit('recorded', results);
      pump(); // claiming pauses while writes fail
    },
    onError: (error, retryInMs) => emit('error', { op: 'record', error, retryInMs }),
  });

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  // Keyed by claim, not delivery id: if our lease ran out mid-attempt and we
  // re-claimed the delivery, both attempts are in flight and both count.
  const inFlight = new Map<ClaimedDelivery, Promise<void>>();
  let claiming: Promise<void> | null = null;
  let claimFailures = 0;
  // Whether due work may be waiting: set by wake(), timers and full claims;
  // cleared when a claim comes back short, so completions do not re-query an empty queue.
  let wanted = true;
  let pumpQueued = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  let stopping: Promise<void> | null = null;
  let unwatch: Promise<(() => Promise<void>) | null> = Promise.resolve(null);

  function wakeAfter(ms: number): void {
    if (state !== 'running') return;
    // A retry weeks away (a long schedule, a Retry-After) would overflow the timer and fire
    // at once; waking at the timer's limit and looking again is enough.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)));
    const at = Date.now() + delay;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      wanted = true;
      pump();
    }, delay);
  }

  function pump(): void {
    if (state !== 'running' || claiming || !wanted || recorder.failing) return;
    const free = config.concurrency - inFlight.size;
    if (free <= 0 || (inFlight.size > 0 && free < minBatch)) return;
    wanted = false;
    claiming = claim(free).finally(() => {
      claiming = null;
      pump();
    });
  }

  async function claim(limit: number): Promise<void> {
    let claims: ClaimedDelivery[];
    try {
      claims = await store.queue.claimDue({ limit, leaseMs: config.leaseMs, now: now() });
      claimFailures = 0;
      emit('claimed', claims.length);
    } catch (error) {
      if (error instanceof PartialClaimError) take(error.claims);
      claimFailures++;
      const retryInMs = Math.min(50 * 2 ** claimFailures, MAX_CLAIM_BACKOFF_MS);
      emit('error', { op: 'claim', error, retryInMs });
      wakeAfter(retryInMs);
      return;
    }
    take(claims);
    if (claims.length >= limit) wanted = true;
    else if (claims.length > 0) wakeAfter(config.pollIntervalMs);
    else if (!wanted) await sleepUntilDue();
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
      start(c);
    }
    // A rate-limited backlog earns a token every 1/rate s; claim again then rather than at the next poll.
    if (rateWake !== Number.POSITIVE_INFINITY) wakeAfter(Math.max(MIN_RATE_WAKE_MS, rateWake));
  }

  async function sleepUntilDue(): Promise<void> {
    let ms = config.pollIntervalMs;
    try {
      const due = await store.queue.nextDueAt();
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

  function start(claim: ClaimedDelivery): void {
    leases.hold(claim.deliveryId, claim.leaseToken);
    const run = attempt(claim).finally(() => {
      inFlight.delete(claim);
      pump();
    });
    inFlight.set(claim, run);
  }

  async function attempt(claim: ClaimedDelivery): Promise<void> {
    const startedAt = now();
    let response: SendResult;
    try {
      const headers = buildHeaders(
        {
          msgId: claim.message.id,
          payload: claim.message.payload,
          secrets: claim.endpoint.secrets,
          customHeaders: claim.endpoint.headers,
        },
        startedAt,
      );
      response = await sender.send({ url: claim.endpoint.url, headers, body: claim.message.payload });
    } catch (error) {
      // A custom sender or a broken key threw: still record an attempt so the delivery moves on.
      emit('error', { op: 'send', error, retryInMs: null });
      const text = truncateText(describeError(error));
      response = { statusCode: 0, body: text, durationMs: 0, errorClass: 'other', retryAfter: null };
    }
    // Retry delays count from the end of the attempt.
    const outcome = decideOutcome(response, {
      attemptsMade: claim.attempts + 1,
      trigger: claim.trigger,
      schedule: config.retrySchedule,
      now: now(),
      random: opts.random,
      maxRetryAfterMs: config.maxRetryAfterMs,
    });
    const disable = disableReason(response);
    const result: AttemptResult = {
      deliveryId: claim.deliveryId,
      leaseToken: claim.leaseToken,
      outcome,
      ...(disable ? { disableEndpoint: disable } : {}),
      attempt: {
        appId: claim.message.appId,
        msgId: claim.message.id,
        endpointId: claim.endpoint.id,
        url: claim.endpoint.url,
        status: outcome.kind === 'success' ? 'success' : 'fail',
        responseStatusCode: response.statusCode,
        response: response.body,
        responseDurationMs: Math.round(response.durationMs),
        errorClass: response.errorClass,
        trigger: claim.trigger,
        createdAt: startedAt,
      },
    };
    recorder.add(result);
    if (outcome.kind === 'retry') wakeAfter(outcome.at.getTime() - now().getTime());
    emit('attempt', { claim, result, response });
  }

  async function shutdown(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    // The sender's own deadline ends every attempt within the request
    // timeout; the margin only guards against a custom sender that hangs.
    const graceMs = config.requestTimeoutMs + 1000;
    const deadline = Date.now() + graceMs;
    const settled = (async () => {
      if (claiming) await claiming;
      while (inFlight.size > 0) await Promise.all(inFlight.values());
    })();
    await Promise.race([settled, delay(graceMs)]);
    await recorder.drain(Math.max(deadline, Date.now() + 1000));
    leases.stop();
    await (await unwatch.catch(() => null))?.().catch(() => {});
    if (ownSender) await Promise.race([sender.close(), delay(1000)]);
    state = 'stopped';
  }

  const worker: Worker = {
    start() {
      if (state !== 'new') return;
      state = 'running';
      leases.start();
      wanted = true;
      pump();
      if (store.watchDue) {
        unwatch = store
          .watchDue(() => worker.wake())
          .catch((error: unknown) => {
            // Without notifications the poll interval still finds the work.
            emit('error', { op: 'watch', error, retryInMs: null });
            return null;
          });
      }
    },
    wake() {
      if (state !== 'running') return;
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
    stop() {
      if (stopping) return stopping;
      if (state === 'new') state = 'stopped';
      if (state === 'stopped') {
        stopping = Promise.resolve();
      } else {
        state = 'stopping';
        stopping = shutdown();
      }
      return stopping;
    },
    get inFlight() {
      return inFlight.size;
    },
  };
  return worker;
}
