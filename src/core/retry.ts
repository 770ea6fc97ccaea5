import { parseDuration } from './duration.js';

/** Delays in ms after the first try: `[5s, 5m, ...]` means up to 1 + length attempts. */
export type RetrySchedule = readonly number[];

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = ['5s', '5m', '30m', '2h', '5h', '10h', '10h'].map(
  (d) => parseDuration(d) as number,
);

export const JITTER = 0.2;

/** Parses `5s,5m,30m`; undefined when any part is not a duration. An empty string means "never retry". */
export function parseRetrySchedule(text: string): RetrySchedule | undefined {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((p) => parseDuration(p));
  return parts.every((p): p is number => p !== undefined) ? parts : undefined;
}

/**
 * When to try again after `attemptsMade` failed attempts, or null when the
 * schedule is exhausted. Jitter of +-20% spreads retries of a burst of failures
 * so a recovering receiver is not hit by all of them at once.
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attemptsMade: number,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
