import type { Trigger } from '../core/model.js';
import { nextRetryDelay, type RetrySchedule } from '../core/retry.js';
import type { AttemptOutcome } from '../store/store.js';
import type { SendResult } from './sender.js';

export interface OutcomeContext {
  /** Attempts made including this one. */
  attemptsMade: number;
  trigger: Trigger;
  schedule: RetrySchedule;
  now: Date;
  random?: () => number;
  /** Longest Retry-After honoured. */
  maxRetryAfterMs: number;
}

export function isSuccess(result: Pick<SendResult, 'statusCode'>): boolean {
  return result.statusCode >= 200 && result.statusCode < 300;
}

/** HTTP dates (RFC 9110 5.6.7): IMF-fixdate and RFC 850, then asctime, which carries no zone (it is GMT). */
const HTTP_DATE = /[a-z]{3},? \d{1,2}[ -][a-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2}/i;
const ASCTIME_DATE = /^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i;

/**
 * Milliseconds from `now` a `Retry-After` value asks to wait: delta-seconds
 * (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, or the older
 * forms). A date in the past means "now" (0). null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only full dates: Date.parse would also read "5" or "2026" as a year.
  const dated = ASCTIME_DATE.test(text) ? `${text} GMT` : HTTP_DATE.test(text) ? text : null;
  if (dated === null) return null;
  const at = Date.parse(dated);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/**
 * Success, retry at, or fail for good. Only 2xx succeeds. A manual attempt
 * (resend) is one-shot: an operator asked for exactly one try, so its failure
 * ends the delivery instead of restarting the schedule.
 *
 * A 429 or 503 with `Retry-After` moves the next try to that time (at most
 * maxRetryAfterMs away) instead of the schedule's delay; it still counts as
 * one of the schedule's attempts, so a receiver cannot keep a delivery alive forever.
 */
export function decideOutcome(result: SendResult, ctx: OutcomeContext): AttemptOutcome {
  if (isSuccess(result)) return { kind: 'success' };
  if (ctx.trigger === 'manual') return { kind: 'fail' };
  const delay = nextRetryDelay(ctx.schedule, ctx.attemptsMade, ctx.random);
  if (delay === null) return { kind: 'fail' };
  if (result.statusCode === 429 || result.statusCode === 503) {
    const asked = parseRetryAfter(result.retryAfter, ctx.now);
    if (asked !== null) {
      const wait = Math.min(asked, ctx.maxRetryAfterMs);
      return { kind: 'retry', at: new Date(ctx.now.getTime() + wait) };
    }
  }
  return { kind: 'retry', at: new Date(ctx.now.getTime() + delay) };
}

/** 410 Gone: the receiver says the endpoint no longer exists, so Hookline disables it at once. */
export function disableReason(result: Pick<SendResult, 'statusCode'>): string | undefined {
  return result.statusCode === 410 ? 'the endpoint answered 410 Gone' : undefined;
}
