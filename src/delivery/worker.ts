import { type Config, endpointPolicy, endpointShare } from '../config.js';
import type { ClaimedDelivery, Store } from '../store/store.js';
import { type AttemptSettings, buildAttemptResult, thrownSendResult } from './attempt.js';
import type { AttemptTracer } from './attempt-trace.js';
import { createEmitter, type WorkerEvents } from './events.js';
import { type Cap, createFairShare } from './fair-share.js';
import { createGuardedSender } from './guarded-sender.js';
import { createHeaderBuilder, type HeaderBuilder } from './headers.js';
import { createLeaseKeeper } from './leases.js';
import { createRecorder } from './recorder.js';
import { isRelayUrl, NO_HUB_RESULT, type RelayHub } from './relay.js';
import { createScheduler } from './scheduler.js';
import type { Sender, SendResult } from './sender.js';
import { shutDown } from './shutdown.js';

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
> &
  Partial<Pick<Config, 'endpointShare'>>;

/** How often a worker clears the fair-share caps that hold nothing back (DeliveryQueue.unshare). */
const UNSHARE_EVERY_MS = 5000;

export interface WorkerOptions {
  /** `watchDue`, when the store has it, wakes the worker on work accepted by other processes. */
  store: Pick<Store, 'queue' | 'watchDue' | 'handOffTo'>;
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
  /** Hands deliveries to `hookline listen` endpoints to their CLI session (relay.ts); without it they fail with class `relay`. */
  relay?: RelayHub;
  /** Traces each attempt and adds its headers (attempt-trace.ts); none by default. */
  tracer?: AttemptTracer | null;
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

/**
 * The delivery worker: claims due deliveries (scheduler.ts decides when),
 * sends each under a lease, turns the response into a result (attempt.ts)
 * and hands it to the group-commit recorder; stop() is shutdown.ts.
 */
export function createWorker(opts: WorkerOptions): Worker {
  const { store, config } = opts;
  const now = opts.now ?? (() => new Date());
  const emit = createEmitter(opts.events);
  const ownSender = opts.sender === undefined;
  // Never an unguarded client by default: the SSRF guard is part of sending.
  const sender = opts.sender ?? createGuardedSender(config);
  const buildHeaders = opts.headers ?? createHeaderBuilder();
  const policy = endpointPolicy(config);
  const share = endpointShare({
    concurrency: config.concurrency,
    endpointShare: config.endpointShare ?? null,
  });
  const fair = createFairShare(share, config.concurrency);
  let unshareTimer: NodeJS.Timeout | null = null;
  const settings: AttemptSettings = {
    retrySchedule: config.retrySchedule,
    maxRetryAfterMs: config.maxRetryAfterMs,
    random: opts.random,
  };

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
    onRecorded: (results, news) => {
      for (const r of results) {
        leases.release(r.deliveryId, r.leaseToken);
        scheduler.recorded(r);
      }
      if (news.breakerOpened.length + news.breakerClosed.length + news.disabled.length > 0)
        emit('health', news);
      emit('recorded', results);
      scheduler.pump(); // claiming pauses while writes fail
    },
    onError: (error, retryInMs) => emit('error', { op: 'record', error, retryInMs }),
  });

  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  // Keyed by claim, not delivery id: if our lease ran out mid-attempt and we
  // re-claimed the delivery, both attempts are in flight and both count.
  const inFlight = new Map<ClaimedDelivery, Promise<void>>();
  let stopping: Promise<void> | null = null;
  let unwatch: Promise<(() => Promise<void>) | null> = Promise.resolve(null);
  // Ends the store's hand-off of fresh deliveries to this worker (Store.handOffTo).
  let stopHandOff = (): void => {};

  const scheduler = createScheduler({
    queue: store.queue,
    config,
    now,
    emit,
    slots: {
      get inFlight() {
        return inFlight.size;
      },
      get paused() {
        return recorder.failing;
      },
      start,
    },
    fair,
  });

  function unshare(unusedOnly: boolean): void {
    store.queue.unshare({ unusedOnly }).catch((error: unknown) => {
      emit('error', { op: 'share', error, retryInMs: unusedOnly ? UNSHARE_EVERY_MS : null });
    });
  }

  /** A capped endpoint's latency moved its cap (fair-share.ts). */
  function moveCap(cap: Cap): void {
    store.queue.shareSlots([cap], []).catch((error: unknown) => {
      emit('error', { op: 'share', error, retryInMs: null });
    });
  }

  function start(claim: ClaimedDelivery): void {
    leases.hold(claim.deliveryId, claim.leaseToken);
    const run = attempt(claim)
      .catch(() => null)
      .then((durationMs) => {
        inFlight.delete(claim);
        const cap = fair.ended(claim, durationMs);
        if (cap) moveCap(cap);
        scheduler.pump();
      });
    inFlight.set(claim, run);
  }

  /** Sends one delivery and hands its result to the recorder; resolves to the attempt's duration. */
  async function attempt(claim: ClaimedDelivery): Promise<number> {
    const startedAt = now();
    const trace = opts.tracer?.(claim) ?? null;
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
      if (trace) Object.assign(headers, trace.headers);
      response = isRelayUrl(claim.endpoint.url)
        ? await (opts.relay?.deliver(claim, headers, config.requestTimeoutMs) ?? NO_HUB_RESULT)
        : await sender.send({ url: claim.endpoint.url, headers, body: claim.message.payload });
    } catch (error) {
      emit('error', { op: 'send', error, retryInMs: null });
      response = thrownSendResult(error);
    }
    const result = buildAttemptResult(claim, response, startedAt, now(), settings);
    trace?.end(result, response);
    recorder.add(result);
    const { outcome } = result;
    if (outcome.kind === 'retry') scheduler.wakeAfter(outcome.at.getTime() - now().getTime());
    emit('attempt', { claim, result, response });
    return result.attempt.responseDurationMs;
  }

  async function shutdown(): Promise<void> {
    if (unshareTimer) clearInterval(unshareTimer);
    stopHandOff();
    await shutDown({
      requestTimeoutMs: config.requestTimeoutMs,
      stopClaiming: scheduler.stop,
      inFlight,
      recorder,
      leases,
      unwatch: async () => {
        await (await unwatch.catch(() => null))?.().catch(() => {});
      },
      closeSender: ownSender ? () => sender.close() : null,
    });
    state = 'stopped';
  }

  const worker: Worker = {
    start() {
      if (state !== 'new') return;
      state = 'running';
      leases.start();
      scheduler.start();
      stopHandOff = store.handOffTo?.(scheduler.taker) ?? (() => {});
      // With fair sharing off, caps an earlier run set would hold endpoints back for good.
      if (share === 0) unshare(false);
      else unshareTimer = setInterval(() => unshare(true), UNSHARE_EVERY_MS).unref();
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
      scheduler.wake();
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
