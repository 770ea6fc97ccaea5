import { describeError } from './classify.js';
import type { WorkerEvents } from './events.js';

/**
 * Consecutive failures of claiming, or of storing results, after which the
 * worker counts as failing. The worker retries both with a backoff (50 ms
 * doubling), so five in a row is a few seconds of a store that refuses, not
 * one unlucky statement.
 */
export const FAILING_AFTER = 5;

export interface WorkerHealth {
  /** Listeners to give the worker (with any others, through combineEvents). */
  events: WorkerEvents;
  /** Why the worker cannot do its work now, or null while it can. */
  problem(): string | null;
}

/**
 * Follows the worker's events to tell whether it keeps failing, for the
 * health check: a worker whose claims fail in a loop delivers nothing, and a
 * load balancer should learn so.
 */
export function createWorkerHealth(failingAfter = FAILING_AFTER): WorkerHealth {
  const runs = { claim: 0, record: 0 };
  const last: { claim: unknown; record: unknown } = { claim: null, record: null };
  return {
    events: {
      error: ({ op, error }) => {
        if (op !== 'claim' && op !== 'record') return;
        runs[op]++;
        last[op] = error;
      },
      claimed: () => {
        runs.claim = 0;
      },
      recorded: () => {
        runs.record = 0;
      },
    },
    problem() {
      if (runs.claim >= failingAfter) {
        return `the delivery worker's last ${runs.claim} claims failed: ${describeError(last.claim)}`;
      }
      if (runs.record >= failingAfter) {
        return `the delivery worker failed to store attempts ${runs.record} times in a row: ${describeError(last.record)}`;
      }
      return null;
    },
  };
}
