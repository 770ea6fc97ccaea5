import { hasPrefix, idFloor, idTime } from '../core/ids.js';
import type { AttemptFilter, FollowedAttempt, Store } from '../store/store.js';

/**
 * Follows new attempts by reading them from the store, not from the worker's
 * in-process events: with PostgreSQL the worker that records an attempt is
 * often another process (docs/postgres.md, roles), and whatever process
 * serves the stream sees every committed attempt this way.
 *
 * Attempt ids begin with the attempt's start time (core/ids.ts), but an
 * attempt is committed only when it ended (up to the request timeout later,
 * plus the recorder's batching), and several workers commit out of id order.
 * So each poll reads again the last `lagMs` of ids and skips those already
 * sent: nothing committed late is missed, and nothing is sent twice by one
 * stream. A reconnecting client (Last-Event-ID) is served from `lagMs`
 * before that id, so it may see again an attempt it already had: clients
 * drop repeats by attempt id (the CLI does).
 */
export interface FollowOptions {
  store: Pick<Store, 'attempts'>;
  appId: string | null;
  filter: AttemptFilter;
  /** The last attempt id the client saw (Last-Event-ID), or null to start with what comes next. */
  lastEventId: string | null;
  /** How far back each poll reads again for attempts committed late. */
  lagMs: number;
  pollMs: number;
  signal: AbortSignal;
  onAttempt: (attempt: FollowedAttempt) => void;
  onError: (error: unknown) => void;
  now?: () => number;
}

const PAGE = 250;

export async function followAttempts(opts: FollowOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const seen = new Map<string, number>();
  const resumeAt =
    opts.lastEventId !== null && hasPrefix(opts.lastEventId, 'atmpt') ? opts.lastEventId : null;
  // Without a resume point, what is already stored is history: mark it seen without sending it.
  let quiet = resumeAt === null;
  let floorMs = resumeAt === null ? now() - opts.lagMs : idTime(resumeAt) - opts.lagMs;

  while (!opts.signal.aborted) {
    try {
      let after = idFloor('atmpt', floorMs);
      for (;;) {
        const page = await opts.store.attempts.follow(opts.appId, opts.filter, { limit: PAGE, after });
        for (const attempt of page.items) {
          if (seen.has(attempt.id)) continue;
          seen.set(attempt.id, idTime(attempt.id));
          if (!quiet && !opts.signal.aborted) opts.onAttempt(attempt);
        }
        const last = page.items.at(-1);
        if (page.done || !last) break;
        after = last.id;
      }
      quiet = false;
      floorMs = now() - opts.lagMs;
      for (const [id, ms] of seen) if (ms < floorMs) seen.delete(id);
    } catch (error) {
      // The store is down (503 elsewhere): keep the stream and try again.
      opts.onError(error);
    }
    await sleep(opts.pollMs, opts.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
