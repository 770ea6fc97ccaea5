import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The API token is stored as `sha256:<hex>` of the token, never the token
 * itself. A generated token carries 192 random bits, so a plain SHA-256 is
 * enough (a slow password hash protects guessable secrets, not random ones),
 * and checking a request costs one hash.
 */
const PREFIX = 'sha256:';

export const generateApiToken = (): string => `hk_${randomBytes(24).toString('base64url')}`;

export const hashApiToken = (token: string): string =>
  `${PREFIX}${createHash('sha256').update(token).digest('hex')}`;

/** Whether a stored value is already a hash (older versions stored the token in clear text). */
export const isApiTokenHash = (stored: string): boolean => /^sha256:[0-9a-f]{64}$/.test(stored);

/** Compares a presented token with a stored hash in constant time (both sides are 32-byte digests). */
export function apiTokenMatches(given: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash.slice(PREFIX.length), 'hex');
  const actual = createHash('sha256').update(given).digest();
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
