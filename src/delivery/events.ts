import type { AttemptResult, ClaimedDelivery, HealthNews } from '../store/store.js';
import type { SendResult } from './sender.js';

/** One attempt finished; its result is buffered and will be stored in the next batch. */
export interface AttemptEvent {
  claim: ClaimedDelivery;
  result: AttemptResult;
  response: SendResult;
}

/** Which store (or sender) call failed. */
/** `share`: capping an endpoint or handing leases back (fair-share.ts). */
export type WorkerOp = 'claim' | 'record' | 'renew' | 'nextDueAt' | 'send' | 'watch' | 'share';

/** A failure the worker survives: it backs off and tries again. */
export interface WorkerErrorEvent {
  op: WorkerOp;
  error: unknown;
  /** When the failed operation is tried again, or null when it is not retried as such. */
  retryInMs: number | null;
}

/**
 * What the worker reports instead of logging. Listeners are called
 * synchronously on the hot path, so keep them cheap; one that throws is
 * ignored rather than allowed to break delivery.
 */
export interface WorkerEvents {
  attempt?: (event: AttemptEvent) => void;
  /** A claim succeeded (with `count` deliveries, maybe none): claims work again after errors. */
  claimed?: (count: number) => void;
  /** A batch of results that opened or closed breakers, or disabled endpoints, was stored (before `recorded`). */
  health?: (news: HealthNews) => void;
  /** A batch of results was stored in one transaction. */
  recorded?: (results: readonly AttemptResult[]) => void;
  error?: (event: WorkerErrorEvent) => void;
  /** Leases another worker took over (ours expired); those attempts are still recorded. */
  leaseLost?: (deliveryIds: readonly string[]) => void;
}

export type Emit = <K extends keyof WorkerEvents>(
  name: K,
  payload: Parameters<NonNullable<WorkerEvents[K]>>[0],
) => void;

export function createEmitter(events: WorkerEvents | undefined): Emit {
  return (name, payload) => {
    const listener = events?.[name] as ((p: typeof payload) => void) | undefined;
    if (!listener) return;
    try {
      listener(payload);
    } catch {
      // A broken listener must not stop deliveries (see WorkerEvents).
    }
  };
}

/** Listeners of several parties as one: each is called, and one that throws does not stop the others. */
export function combineEvents(...parties: WorkerEvents[]): WorkerEvents {
  const combined: Record<string, (payload: unknown) => void> = {};
  for (const party of parties) {
    for (const [name, listener] of Object.entries(party) as [string, (p: unknown) => void][]) {
      const before = combined[name];
      combined[name] = (payload) => {
        before?.(payload);
        try {
          listener(payload);
        } catch {
          // As in createEmitter: a broken listener must not stop deliveries.
        }
      };
    }
  }
  return combined as WorkerEvents;
}
