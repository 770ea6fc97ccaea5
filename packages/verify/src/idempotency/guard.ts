/**
 * Exactly-once handling on top of at-least-once delivery: senders retry, and
 * retries (or a slow first attempt overlapping its retry) duplicate deliveries.
 */

/** What a claim found: the caller now owns the id, someone is processing it, or it is done. */
export type ClaimState = 'claimed' | 'in_progress' | 'completed';

/**
 * The narrow seam every backend implements; each operation must be atomic across processes.
 *
 * Every claim carries `token`, a random value unique to that claim (the guard
 * makes one per delivery). A claim whose lock expired can be taken over by
 * another delivery with another token, so `complete` and `release` must only
 * act on the claim that still carries their token: a late, expired claim must
 * never delete or overwrite the claim that took over.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for `lockMs`, recording `token` as its owner, unless a live
   * claim or a completion exists (an expired claim or completion is taken over).
   */
  claim(key: string, token: string, lockMs: number): Promise<ClaimState>;
  /**
   * Marks `key` completed and remembers it for `retentionMs`, if the claim is
   * still `token`'s or nothing live holds `key` (the claim expired and no one
   * took it over). A live claim or completion of another token is left as is.
   */
  complete(key: string, token: string, retentionMs: number): Promise<void>;
  /** Drops `token`'s unfinished claim so the sender's retry can process the id; anything else is left as is. */
  release(key: string, token: string): Promise<void>;
}

export interface IdempotencyGuardOptions {
  /** How long a completed id is remembered, in ms. Default 7 days, beyond any sender's retry window. */
  retentionMs?: number;
  /**
   * How long a claim holds before another delivery may take it over, in ms: it
   * frees the id if a process dies mid-handler. Keep it above your slowest
   * handler, or a retry arriving after it can run the handler again. Default 2 minutes.
   */
  lockMs?: number;
}

export type OnceResult<R> =
  | { status: 'processed'; result: R }
  /** Already completed earlier: answer 2xx, the work is done. */
  | { status: 'duplicate' }
  /** Another delivery of this id is running now: answer non-2xx (409) so the sender retries later. */
  | { status: 'in_progress' };

export interface IdempotencyGuard {
  /**
   * Runs `handler` unless `webhookId` was completed or is being processed. If
   * the handler throws, the claim is released and the error rethrown.
   */
  once<R>(webhookId: string, handler: () => R | Promise<R>): Promise<OnceResult<R>>;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_LOCK_MS = 2 * 60 * 1000;

export function createIdempotencyGuard(
  store: IdempotencyStore,
  options: IdempotencyGuardOptions = {},
): IdempotencyGuard {
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  for (const [name, value] of [
    ['retentionMs', retentionMs],
    ['lockMs', lockMs],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  }

  return {
    async once<R>(webhookId: string, handler: () => R | Promise<R>): Promise<OnceResult<R>> {
      if (typeof webhookId !== 'string' || webhookId.length === 0) {
        throw new TypeError('webhookId must be a non-empty string');
      }
      // Unguessable and unique per delivery: a late handler can only finish its own claim.
      const token = globalThis.crypto.randomUUID();
      const state = await store.claim(webhookId, token, lockMs);
      if (state === 'completed') return { status: 'duplicate' };
      if (state === 'in_progress') return { status: 'in_progress' };
      let result: R;
      try {
        result = await handler();
      } catch (error) {
        // The original error matters more than a failed release; the claim then expires after lockMs.
        await store.release(webhookId, token).catch(() => {});
        throw error;
      }
      await store.complete(webhookId, token, retentionMs);
      return { status: 'processed', result };
    },
  };
}
