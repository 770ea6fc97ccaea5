import type { LeaseKeeper } from './leases.js';
import type { Recorder } from './recorder.js';

/** What a worker hands over to stop. */
export interface ShutdownParts {
  /** Every attempt ends within it (the sender's own deadline). */
  requestTimeoutMs: number;
  /** Stops claiming; returns the claim under way, if any (see Scheduler.stop). */
  stopClaiming(): Promise<void> | null;
  /** Attempts in flight, each settling once its result is handed to the recorder. */
  inFlight: ReadonlyMap<unknown, Promise<void>>;
  recorder: Pick<Recorder, 'drain'>;
  leases: Pick<LeaseKeeper, 'stop'>;
  /** Stops the store's wake-ups; never rejects. */
  unwatch(): Promise<void>;
  /** Closes the sender, or null when the worker was given it (its owner closes it). */
  closeSender: (() => Promise<void>) | null;
}

/** A timer that does not keep the process alive on its own. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A graceful stop: no more claims, the attempts in flight finish (a claim
 * under way first starts what it leased), their results are stored, then
 * leases, wake-ups and the sender are let go. Bounded: a sender that hangs
 * is not waited for past the request timeout, nor its close past a second.
 */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const claiming = parts.stopClaiming();
  // The sender's own deadline ends every attempt within the request
  // timeout; the margin only guards against a custom sender that hangs.
  const graceMs = parts.requestTimeoutMs + 1000;
  const deadline = Date.now() + graceMs;
  const settled = (async () => {
    if (claiming) await claiming;
    while (parts.inFlight.size > 0) await Promise.all(parts.inFlight.values());
  })();
  await Promise.race([settled, delay(graceMs)]);
  await parts.recorder.drain(Math.max(deadline, Date.now() + 1000));
  parts.leases.stop();
  await parts.unwatch();
  if (parts.closeSender) await Promise.race([parts.closeSender(), delay(1000)]);
}
