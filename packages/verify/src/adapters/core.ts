import { fail, isWebhookVerificationError } from '../errors.js';
import type { HeaderSource } from '../headers.js';
import type { IdempotencyGuard } from '../idempotency/guard.js';
import { type VerifiedWebhook, createVerifier } from '../standard.js';

/** Any verified event: Standard Webhooks' `VerifiedWebhook` or a provider's `ProviderWebhook`. */
export interface WebhookEvent {
  id: string | undefined;
  payload: unknown;
}

/** Options shared by every framework adapter. */
export interface WebhookAdapterOptions<E extends WebhookEvent, Context extends unknown[]> {
  /** Standard Webhooks secret(s) (`whsec_`/`whpk_`); several during rotation. Not needed with `verify`. */
  secret?: string | readonly string[];
  /** Standard Webhooks timestamp tolerance in seconds, both ways. Default 300. */
  toleranceSeconds?: number;
  /** Another scheme, e.g. `(body, headers) => verifyStripe(body, headers, secret)`. */
  verify?: (rawBody: Uint8Array, headers: HeaderSource) => Promise<E>;
  /** Runs the handler at most once per event id (events without an id are not deduplicated). */
  idempotency?: IdempotencyGuard;
  /** Largest body accepted, in bytes. Default 10 MiB. */
  limit?: number;
  /**
   * Called only for verified events. Its return value becomes the response:
   * `undefined` gives 204, anything else is sent as JSON with 200.
   */
  handler: (event: E, ...context: Context) => unknown;
}

/** What the adapter should answer; `result` is the handler's return value when it ran. */
export type Reply =
  | { kind: 'handled'; result: unknown }
  | { kind: 'answer'; status: number; body: Record<string, unknown> };

export const DEFAULT_LIMIT = 10 * 1024 * 1024;

export const tooLarge = (limit: number) =>
  fail('BODY_TOO_LARGE', `The body is larger than the ${limit}-byte limit of this webhook route`);

/** Carries the answer of a handler that answered non-2xx itself out of the idempotency guard. */
class AnsweredFailure {
  constructor(readonly result: unknown) {}
}

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/**
 * Verifies, deduplicates and invokes: the framework-independent half of every
 * adapter. Verification failures become 400/401 answers; handler errors propagate.
 * `answeredFailure` tells whether the handler answered non-2xx by itself (a 503
 * `Response`, `reply.code(500).send()`): like a throw, that leaves the event id
 * unclaimed, because the sender will retry and the retry must run the handler.
 */
export function createRunner<E extends WebhookEvent, Context extends unknown[]>(
  options: WebhookAdapterOptions<E, Context>,
  answeredFailure: (result: unknown, ...context: Context) => boolean,
): (rawBody: unknown, headers: HeaderSource, ...context: Context) => Promise<Reply> {
  const verify = options.verify ?? standardVerify(options);
  return async (rawBody, headers, ...context) => {
    let event: E;
    try {
      // The body goes in as received, so a parsed object still yields BODY_NOT_RAW.
      event = await verify(rawBody as Uint8Array, headers);
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      return { kind: 'answer', status: error.status, body: { code: error.code, message: error.message } };
    }
    // An empty id (say a blank X-GitHub-Delivery) identifies nothing: handled like no id.
    if (!options.idempotency || !event.id) {
      return { kind: 'handled', result: await options.handler(event, ...context) };
    }
    const run = async () => {
      const result = await options.handler(event, ...context);
      if (answeredFailure(result, ...context)) throw new AnsweredFailure(result);
      return result;
    };
    let outcome: Awaited<ReturnType<typeof options.idempotency.once>>;
    try {
      outcome = await options.idempotency.once(event.id, run);
    } catch (error) {
      if (error instanceof AnsweredFailure) return { kind: 'handled', result: error.result };
      throw error;
    }
    if (outcome.status === 'processed') return { kind: 'handled', result: outcome.result };
    if (outcome.status === 'duplicate') return { kind: 'answer', status: 200, body: { duplicate: true } };
    return {
      kind: 'answer',
      status: 409,
      body: { code: 'IN_PROGRESS', message: 'This webhook is being processed; retry later' },
    };
  };
}

function standardVerify<E extends WebhookEvent>(options: {
  secret?: string | readonly string[];
  toleranceSeconds?: number;
}): (rawBody: Uint8Array, headers: HeaderSource) => Promise<E> {
  if (options.secret === undefined) throw new TypeError('Pass `secret` (Standard Webhooks) or `verify`');
  const toleranceSeconds = options.toleranceSeconds;
  const verifier = createVerifier(options.secret, toleranceSeconds === undefined ? {} : { toleranceSeconds });
  return (rawBody, headers) => verifier.verify(rawBody, headers) as Promise<VerifiedWebhook & E>;
}
