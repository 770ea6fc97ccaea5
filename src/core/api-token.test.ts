import { describe, expect, it } from 'vitest';
import {
  apiTokenMatcher,
  apiTokenMatches,
  generateApiToken,
  hashApiToken,
  isApiTokenHash,
} from './api-token.js';

describe('API token hashing', () => {
  it('stores a hash that matches only its own token', () => {
    const token = generateApiToken();
    expect(token).toMatch(/^hk_[A-Za-z0-9_-]{32}$/);
    const stored = hashApiToken(token);
    expect(stored).not.toContain(token);
    expect(isApiTokenHash(stored)).toBe(true);
    expect(apiTokenMatches(token, stored)).toBe(true);
    expect(apiTokenMatches(`${token}x`, stored)).toBe(false);
    expect(apiTokenMatches('', stored)).toBe(false);
  });

  it('hashes with SHA-256 (a stored hash from any version still matches), and a matcher checks many tokens', () => {
    // The FIPS 180-2 test vector for "abc".
    const stored = hashApiToken('abc');
    expect(stored).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const matches = apiTokenMatcher(stored);
    expect([matches('abc'), matches('abd'), matches('abc'), matches('')]).toEqual([true, false, true, false]);
  });

  it('tells a clear-text token (older versions) from a hash', () => {
    expect(isApiTokenHash('hk_upgradefixturetoken0000000000000000000000')).toBe(false);
    expect(isApiTokenHash(hashApiToken('anything'))).toBe(true);
  });
});
