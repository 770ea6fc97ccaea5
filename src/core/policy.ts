import { formatDuration } from './duration.js';
import type { AttemptResult } from './model.js';

/**
 * Endpoint protection, decided here once for both stores: how many deliveries
 * an endpoint may be handed in one claim (rate limit, in-flight cap, ordering,
 * circuit breaker) and how a batch of attempt results moves an endpoint's
 * health (breaker, auto-disable). Pure functions: the stores read the inputs
 * and write the outputs.
 */

/** How recorded attempts move an endpoint's health; config.ts's endpointPolicy() builds it. */
export interface EndpointPolicy {
  /** Consecutive failed attempts that open the breaker; 0 never opens it. */
  breakerThreshold: number;
  /** Wait before the first probe of an open breaker; doubles per failed probe. */
  breakerBackoffMs: number;
  /** Upper bound of that wait. */
  breakerMaxBackoffMs: number;
  /** Disable an endpoint that has failed without a single success for this long; 0 never does. */
  autoDisableAfterMs: number;
}

/**
 * A rate-limited endpoint may be sent a burst of at most this much time's
 * worth of its rate at once (at least one message). Small, so a per-second
 * count stays near the rate; the worker claims again after each token interval.
 */
export const RATE_BURST_MS = 250;

/** The limits of an endpoint that the claim honours. */
export interface Gate {
  rateLimit: number | null;
  maxInFlight: number | null;
  /** The in-flight cap fair sharing set (fairCap below); maxInFlight, when set, wins. */
  fairCap: number | null;
  ordered: boolean;
  breakerOpen: boolean;
  /** GCRA "theoretical arrival time" of the next send (ms since epoch). */
  rateTat: number | null;
  /** While the breaker is open: no probe before this (ms since epoch). */
  breakerRetryAt: number | null;
  /** Deliveries of this endpoint leased right now. */
  inFlight: number;
}

const intervalMs = (rate: number): number => 1000 / rate;

/**
 * Rounding slack, in ms. Epoch milliseconds (~1.8e12) keep only ~0.0002 ms of
 * fraction, so `now + 333.33 - now` is 333.33325: without slack a rate of 3/s,
 * whose burst is exactly one interval, earned 0.99999976 tokens, floored to 0,
 * and never sent at all.
 */
const RATE_SLACK_MS = 0.001;

/** Sends the rate limit allows now (generic cell rate algorithm with a small burst). */
export function rateTokens(rate: number, tat: number | null, now: number): number {
  const interval = intervalMs(rate);
  const burst = Math.max(interval, RATE_BURST_MS);
  // How far the limiter is ahead of now: a difference taken first, so it stays exact when tat <= now.
  const ahead = Math.max(0, (tat ?? now) - now);
  return Math.max(0, Math.floor((burst - ahead + RATE_SLACK_MS) / interval));
}

/** The rate limiter's state after `sent` more sends at `now`. */
export function advanceTat(rate: number, tat: number | null, now: number, sent: number): number {
  return Math.max(tat ?? now, now) + sent * intervalMs(rate);
}

/**
 * How many deliveries of this endpoint one claim may take now
 * (Infinity: no limit). Ordered endpoints and open breakers take one at a
 * time and none while one is in flight: for an open breaker that one is the probe.
 */
export function claimQuota(g: Gate, now: number): number {
  let quota = Number.POSITIVE_INFINITY;
  if (g.breakerOpen) {
    if (g.inFlight > 0 || (g.breakerRetryAt !== null && g.breakerRetryAt > now)) return 0;
    quota = 1;
  }
  if (g.ordered) {
    if (g.inFlight > 0) return 0;
    quota = 1;
  }
  const cap = g.maxInFlight ?? g.fairCap;
  if (cap !== null) quota = Math.min(quota, Math.max(0, cap - g.inFlight));
  if (g.rateLimit !== null) quota = Math.min(quota, rateTokens(g.rateLimit, g.rateTat, now));
  return quota;
}

/**
 * Fair sharing (README, Isolation): how many deliveries one endpoint may have
 * in flight once it has tried to take more than `share` of a worker's slots.
 * A receiver that answers within a second keeps the whole share; a slower one
 * gets share x 1 s / latency (it ties up a slot that much longer per delivery),
 * but never fewer than 2, so a slow endpoint still drains and a recovering one
 * is seen to recover. `latencyMs` is null before any attempt of it finished.
 */
export function fairCap(share: number, latencyMs: number | null): number {
  if (latencyMs === null || latencyMs <= 1000) return share;
  return Math.min(share, Math.max(2, Math.floor((share * 1000) / latencyMs)));
}

/** What the store keeps per endpoint between batches (endpoint_state plus endpoints.breaker_open). */
export interface Health {
  consecutiveFailures: number;
  /** First failure since the last success; null while healthy. */
  failingSince: number | null;
  breakerOpen: boolean;
  /** Failed probes in a row since the breaker opened (drives the backoff). */
  breakerOpens: number;
  breakerRetryAt: number | null;
}

export const HEALTHY: Health = {
  consecutiveFailures: 0,
  failingSince: null,
  breakerOpen: false,
  breakerOpens: 0,
  breakerRetryAt: null,
};

export interface HealthChange {
  next: Health;
  /** The result that turned a healthy endpoint failing (message.attempt.failing). */
  startedFailing: AttemptResult | null;
  /** Disable the endpoint with this reason (410 Gone or auto-disable). */
  disable: string | null;
}

export function breakerDelay(policy: EndpointPolicy, opens: number): number {
  return Math.min(policy.breakerBackoffMs * 2 ** Math.max(0, opens - 1), policy.breakerMaxBackoffMs);
}

/**
 * Applies one endpoint's results, in attempt order. A failure while the
 * breaker is open counts as a failed probe (longer backoff) only when the
 * attempt started at or after the probe time: attempts already in flight
 * when it opened are stragglers, not probes.
 */
export function applyResults(
  health: Health,
  results: readonly AttemptResult[],
  policy: EndpointPolicy,
  now: number,
): HealthChange {
  const h: Health = { ...health };
  let startedFailing: AttemptResult | null = null;
  let disable: string | null = null;
  const ordered = [...results].sort((a, b) => a.attempt.createdAt.getTime() - b.attempt.createdAt.getTime());
  for (const r of ordered) {
    const at = r.attempt.createdAt.getTime();
    if (r.attempt.status === 'success') {
      Object.assign(h, HEALTHY);
      startedFailing = null;
      continue;
    }
    if (r.disableEndpoint) disable ??= r.disableEndpoint;
    h.consecutiveFailures++;
    if (h.failingSince === null) {
      h.failingSince = at;
      startedFailing = r;
    }
    if (h.breakerOpen) {
      if (h.breakerRetryAt === null || at >= h.breakerRetryAt) {
        h.breakerOpens++;
        h.breakerRetryAt = now + breakerDelay(policy, h.breakerOpens);
      }
    } else if (policy.breakerThreshold > 0 && h.consecutiveFailures >= policy.breakerThreshold) {
      h.breakerOpen = true;
      h.breakerOpens = 1;
      h.breakerRetryAt = now + breakerDelay(policy, 1);
    }
  }
  if (
    disable === null &&
    policy.autoDisableAfterMs > 0 &&
    h.failingSince !== null &&
    now - h.failingSince >= policy.autoDisableAfterMs
  ) {
    disable = `failing without a successful attempt since ${new Date(h.failingSince).toISOString()} (auto-disabled after ${formatDuration(policy.autoDisableAfterMs)})`;
  }
  return { next: h, startedFailing, disable };
}

/** Whether recording this batch can change any endpoint's health beyond a plain success. */
export const hasFailures = (results: readonly AttemptResult[]): boolean =>
  results.some((r) => r.attempt.status !== 'success' || r.disableEndpoint !== undefined);

/** One stored result: the attempt id it got and whether its delivery moved (lease still ours). */
export interface Recorded {
  result: AttemptResult;
  attemptId: string;
  moved: boolean;
}

/** Breakers and disables a recorded batch changed: the delivery log's lines (server.ts). */
export interface HealthNews {
  breakerOpened: string[];
  breakerClosed: string[];
  /** Endpoints Hookline disabled (410 Gone, auto-disable) and why. */
  disabled: { endpointId: string; reason: string }[];
}
export const noHealthNews = (): HealthNews => ({ breakerOpened: [], breakerClosed: [], disabled: [] });

export interface HealthPlan {
  /** Breakers opened or closed and endpoints disabled by the failing endpoints' changes. */
  news: HealthNews;
  /** New health per endpoint that had a failure in the batch. */
  changes: Map<string, HealthChange & { disabled: boolean }>;
  /** Endpoints with only successes: reset to healthy where they were not. */
  succeeded: string[];
  events: {
    exhausted: { result: AttemptResult; attemptId: string }[];
    failing: { result: AttemptResult; attemptId: string }[];
    disabled: { endpointId: string; failSince: number | null }[];
  };
}

/** Endpoints of a batch whose health must be read (they had a failure). */
export function failingEndpoints(recorded: readonly Recorded[]): string[] {
  return [
    ...new Set(
      recorded.filter((r) => r.result.attempt.status !== 'success').map((r) => r.result.attempt.endpointId),
    ),
  ];
}

/**
 * The health changes and operational events of a recorded batch. `current`
 * holds the stored health (and disabled flag) of every failingEndpoints() id.
 */
export function planHealth(
  recorded: readonly Recorded[],
  current: ReadonlyMap<string, Health & { disabled: boolean }>,
  policy: EndpointPolicy,
  now: number,
): HealthPlan {
  const byEndpoint = new Map<string, Recorded[]>();
  for (const r of recorded) {
    const id = r.result.attempt.endpointId;
    const list = byEndpoint.get(id);
    if (list) list.push(r);
    else byEndpoint.set(id, [r]);
  }
  const plan: HealthPlan = {
    news: noHealthNews(),
    changes: new Map(),
    succeeded: [],
    events: { exhausted: [], failing: [], disabled: [] },
  };
  for (const [endpointId, list] of byEndpoint) {
    const health = current.get(endpointId);
    if (!health) {
      plan.succeeded.push(endpointId);
      continue;
    }
    const change = applyResults(
      health,
      list.map((r) => r.result),
      policy,
      now,
    );
    plan.changes.set(endpointId, { ...change, disabled: health.disabled });
    if (change.startedFailing) {
      const r = list.find((x) => x.result === change.startedFailing);
      if (r) plan.events.failing.push({ result: r.result, attemptId: r.attemptId });
    }
    if (change.disable !== null && !health.disabled) {
      plan.events.disabled.push({ endpointId, failSince: change.next.failingSince });
      plan.news.disabled.push({ endpointId, reason: change.disable });
    }
    if (change.next.breakerOpen && !health.breakerOpen) plan.news.breakerOpened.push(endpointId);
    if (!change.next.breakerOpen && health.breakerOpen) plan.news.breakerClosed.push(endpointId);
  }
  for (const r of recorded) {
    if (r.moved && r.result.outcome.kind === 'fail' && r.result.attempt.trigger === 'scheduled') {
      plan.events.exhausted.push({ result: r.result, attemptId: r.attemptId });
    }
  }
  return plan;
}
