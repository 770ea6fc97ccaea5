import type { Config } from '../config.js';
import type { AttemptResult, ClaimedDelivery } from '../store/store.js';
import { describeError } from './classify.js';
import { decideOutcome, disableReason } from './outcome.js';
import { type SendResult, truncateText } from './sender.js';

/** The settings an attempt's outcome depends on; one object per worker, not per attempt. */
export interface AttemptSettings extends Pick<Config, 'retrySchedule' | 'maxRetryAfterMs'> {
  /** For retry jitter. */
  random?: (() => number) | undefined;
}

/**
 * What a send that threw (a custom sender, a broken key) is stored as: a
 * transport failure of class `other` whose response is the error's text, cut
 * to 4 KiB of UTF-8, so the delivery still moves on.
 */
export function thrownSendResult(error: unknown): SendResult {
  const text = truncateText(describeError(error));
  return { statusCode: 0, body: text, durationMs: 0, errorClass: 'other', retryAfter: null };
}

/**
 * The result stored for one attempt of `claim`: its outcome (success, retry
 * at, or fail for good; a 429/503 Retry-After moves the retry), the endpoint
 * disabled by a 410, and the attempt row. Retry delays count from `endedAt`.
 */
export function buildAttemptResult(
  claim: ClaimedDelivery,
  response: SendResult,
  startedAt: Date,
  endedAt: Date,
  settings: AttemptSettings,
): AttemptResult {
  const outcome = decideOutcome(response, {
    attemptsMade: claim.attempts + 1,
    trigger: claim.trigger,
    schedule: settings.retrySchedule,
    now: endedAt,
    random: settings.random,
    maxRetryAfterMs: settings.maxRetryAfterMs,
  });
  const disable = disableReason(response);
  return {
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
}
