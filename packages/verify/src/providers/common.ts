import { type Bytes, constantTimeEqual, hmacSha256, utf8 } from '../bytes.js';
import { fail } from '../errors.js';
import { type HeaderSource, getHeader } from '../headers.js';
import { checkTimestamp, checkTolerance, DEFAULT_TOLERANCE_SECONDS, parseJson } from '../standard.js';

/** What a provider verifier returns; providers differ in which of id and timestamp they send. */
export interface ProviderWebhook<T = unknown> {
  /** The provider's delivery or event id, when it sends one (see each verifier for its source). */
  id: string | undefined;
  /** Unix seconds, for schemes that sign a timestamp (Stripe, Slack). */
  timestamp: number | undefined;
  payload: T;
}

export interface ProviderOptions {
  /** For schemes with a signed timestamp: accepted clock difference in seconds, both ways. Default 300. */
  toleranceSeconds?: number;
  /** Current time in milliseconds since the epoch; defaults to `Date.now`. */
  now?: () => number;
}

/** A provider's signed timestamp checked against the options' clock and tolerance (the Standard Webhooks default). */
export function providerTimestamp(text: string, options: ProviderOptions): number {
  return checkTimestamp(
    text,
    (options.now ?? Date.now)(),
    checkTolerance(options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS),
  );
}

/** Provider secrets are used as UTF-8 text, exactly as the provider's dashboard shows them. */
export function secretList(secrets: string | readonly string[]): string[] {
  const list = typeof secrets === 'string' ? [secrets] : [...secrets];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw fail('INVALID_SECRET', 'Each secret must be a non-empty string');
  }
  return list;
}

export function requireProviderHeader(headers: HeaderSource, name: string): string {
  const value = getHeader(headers, name);
  if (!value) throw fail('MISSING_HEADER', `Missing the ${name} header`);
  return value;
}

/** True when HMAC-SHA256(secret, content) equals one of the candidates, for any secret. */
export async function hmacMatches(
  secrets: readonly string[],
  content: Bytes,
  candidates: readonly Uint8Array[],
): Promise<boolean> {
  for (const secret of secrets) {
    const expected = await hmacSha256(utf8(secret), content);
    if (candidates.some((c) => constantTimeEqual(c, expected))) return true;
  }
  return false;
}

export function noMatch(header: string): never {
  throw fail('NO_MATCHING_SIGNATURE', `The ${header} signature does not match any of the secrets`);
}

/** JSON bodies are parsed; form-encoded ones (Slack commands, GitHub's form option) become a record. */
export function parsePayload(text: string, headers: HeaderSource): unknown {
  if (getHeader(headers, 'content-type')?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return parseJson(text);
}

export function stringField(payload: unknown, field: string): string | undefined {
  const value =
    payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}
