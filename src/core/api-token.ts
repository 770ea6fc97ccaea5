import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The API token is stored as `sha256:<hex>` of the token, never the token
 * itself. A generated token carries 192 random bits, so a plain SHA-256 is
 * enough (a slow password hash protects guessable secrets, not random ones),
 * and checking a request costs one hash.
 */
const PREFIX = 'sha256:';

/** The settings that hold the token's hash and when it was set (ISO 8601; absent before it was recorded). */
export const API_TOKEN_SETTING = 'api_token';
export const API_TOKEN_CREATED_SETTING = 'api_token_created_at';

/** A bearer secret: `prefix` (which kind it is) and 192 random bits, base64url; hashed with hashApiToken. */
export const randomToken = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

export const generateApiToken = (): string => randomToken('hk_');

export const hashApiToken = (token: string): string => `${PREFIX}${hash('sha256', token, 'hex')}`;

/** Whether a stored value is already a hash (older versions stored the token in clear text). */
export const isApiTokenHash = (stored: string): boolean => /^sha256:[0-9a-f]{64}$/.test(stored);

/**
 * Compares presented tokens with a stored hash in constant time (both sides
 * are 32-byte digests); the stored digest is decoded once, since the API
 * checks every request against it.
 */
export function apiTokenMatcher(storedHash: string): (given: string) => boolean {
  const expected = Buffer.from(storedHash.slice(PREFIX.length), 'hex');
  return (given) => {
    const actual = hash('sha256', given, 'buffer');
    return expected.length === actual.length && timingSafeEqual(actual, expected);
  };
}

export const apiTokenMatches = (given: string, storedHash: string): boolean =>
  apiTokenMatcher(storedHash)(given);

/**
 * A short name for a stored token, safe to show: the first 12 hex digits of
 * its hash. The token has 192 random bits, so 48 bits of its hash reveal
 * nothing useful, and an operator can tell two tokens apart.
 */
export const apiTokenFingerprint = (storedHash: string): string =>
  storedHash.slice(PREFIX.length, PREFIX.length + 12);
