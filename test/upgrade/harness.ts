import { DEFAULTS } from '../../src/config.js';
import type { Endpoint } from '../../src/core/model.js';
import { createWorker, type Worker, type WorkerConfig } from '../../src/delivery/worker.js';
import type { AttemptResult, EndpointInput, Store } from '../../src/store/store.js';
import type { EndpointName, Manifest, Owed } from '../fixtures/upgrade/manifest.js';
import { type Receiver, type Reply, startReceiver } from '../helpers/receiver.js';

/**
 * The moving parts of the upgrade test: one loopback receiver (one path per
 * fixture endpoint) that can hold the breaker's probe and counts concurrent
 * requests per path, and real workers whose clock the test sets.
 */

export const workerConfig: WorkerConfig = {
  requestTimeoutMs: 5000,
  concurrency: 32,
  // Long: phase two runs the worker's clock decades ahead while lease renewals use the real
  // one; a lease this long is never renewed before its attempt ends.
  leaseMs: 10 * 60_000,
  pollIntervalMs: 100,
  retrySchedule: [50, 100],
  allowPrivateNetworks: true, // the receiver is on loopback
  allowedCidrs: [],
  maxRetryAfterMs: DEFAULTS.maxRetryAfterMs,
  breakerThreshold: DEFAULTS.breakerThreshold,
  breakerBackoffMs: DEFAULTS.breakerBackoffMs,
  autoDisableAfterMs: DEFAULTS.autoDisableAfterMs,
};

export interface Harness {
  receiver: Receiver;
  /** Every result the workers stored. */
  recorded: AttemptResult[];
  /** Most requests seen open at once, per path. */
  maxOpen: Map<string, number>;
  /** Whether the breaker endpoint's first request (the probe) has arrived; it is held until releaseProbe. */
  readonly probeArrived: boolean;
  releaseProbe(): void;
  /** A worker whose clock runs `skewMs` ahead of the real one. */
  startWorker(skewMs: number): Worker;
  /** Resolves once `check` holds; `what` names it if the failsafe ends the wait. */
  waitUntil(check: () => boolean, what: string | (() => string)): Promise<void>;
  /** Resolves when every owed delivery given has a recorded success (fails with what is missing). */
  delivered(owed: readonly Owed[], what: string): Promise<void>;
  close(): Promise<void>;
}

export const inputOf = (ep: Endpoint): EndpointInput => {
  const { id: _i, appId: _a, createdAt: _c, updatedAt: _u, ...input } = ep;
  return input;
};

/** Slow enough answers that a cap, if broken, would show as overlapping requests. */
const CAPPED_ANSWER_MS = 25;

/** Polls `check`; the deadline is a failsafe far beyond any run, never an assertion on speed. */
function waitUntil(check: () => boolean, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + 45_000;
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (check()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(t);
        reject(new Error(`gave up waiting for ${typeof what === 'string' ? what : what()}`));
      }
    }, 10);
  });
}

export async function harness(store: Store, m: Manifest): Promise<Harness> {
  const maxOpen = new Map<string, number>();
  const open = new Map<string, number>();
  let releaseProbe = (): void => {};
  const probeHeld = new Promise<void>((r) => {
    releaseProbe = r;
  });
  let probed = false;
  const receiver = await startReceiver(async (req): Promise<Reply> => {
    const path = req.url.slice(1);
    open.set(path, (open.get(path) ?? 0) + 1);
    maxOpen.set(path, Math.max(maxOpen.get(path) ?? 0, open.get(path)!));
    try {
      if (path === 'breaker' && !probed) {
        probed = true;
        await probeHeld;
      }
      if (path === 'capped') await new Promise((r) => setTimeout(r, CAPPED_ANSWER_MS));
      return { status: 200, body: 'ok' };
    } finally {
      open.set(path, open.get(path)! - 1);
    }
  });

  const recorded: AttemptResult[] = [];
  const workers: Worker[] = [];
  const ids = (name: EndpointName) => m.endpoints[name].id;
  const succeeded = (o: Owed) =>
    recorded.some(
      (r) =>
        r.attempt.msgId === o.msgId &&
        r.attempt.endpointId === ids(o.endpoint) &&
        r.attempt.status === 'success',
    );

  let closed: Promise<void> | undefined;
  return {
    receiver,
    recorded,
    maxOpen,
    get probeArrived() {
      return probed;
    },
    releaseProbe: () => releaseProbe(),
    startWorker(skewMs) {
      const w = createWorker({
        store,
        config: workerConfig,
        now: () => new Date(Date.now() + skewMs),
        events: { recorded: (rs) => recorded.push(...rs) },
      });
      workers.push(w);
      w.start();
      return w;
    },
    waitUntil,
    delivered(owed, what) {
      const missing = () => owed.filter((o) => !succeeded(o));
      return waitUntil(
        () => missing().length === 0,
        () =>
          `${what}: never delivered: ${missing()
            .map((o) => `${o.endpoint} ${o.msgId} (${o.note})`)
            .join('; ')}`,
      );
    },
    close() {
      releaseProbe();
      closed ??= Promise.all(workers.map((w) => w.stop())).then(() => receiver.close());
      return closed;
    },
  };
}
