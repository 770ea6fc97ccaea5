import { nextRetryDelay, type RetrySchedule } from '../core/retry.js';
import type { Trigger } from '../core/model.js';
import type { AttemptOutcome } from '../store/store.js';
import type { SendResult } from './sender.js';

export interface OutcomeContext {
  /** Attempts made including this one. */
  attemptsMade: number;
  trigger: Trigger;
  schedule: RetrySchedule;
  now: Date;
  random?: () => number;
}

export function isSuccess(result: Pick<SendResult, 'statusCode'>): boolean {
  return result.statusCode >= 200 && result.statusCode < 300;
}

/**
 * Success, retry at, or fail for good. Only 2xx succeeds. A manual attempt
 * (resend) is one-shot: an operator asked for exactly one try, so its failure
 * ends the delivery instead of restarting the schedule.
 *
 * Delivery policies (Retry-After, 410, circuit breaker) refine this decision;
 * they get the full SendResult, which is why it is passed whole.
 */
export function decideOutcome(result: SendResult, ctx: OutcomeContext): AttemptOutcome {
  if (isSuccess(result)) return { kind: 'success' };
  if (ctx.trigger === 'manual') return { kind: 'fail' };
  const delay = nextRetryDelay(ctx.schedule, ctx.attemptsMade, ctx.random);
  if (delay === null) return { kind: 'fail' };
  return { kind: 'retry', at: new Date(ctx.now.getTime() + delay) };
}
