import { describe, expect, it } from 'vitest';
import { apiTokenMatches, generateApiToken, hashApiToken, isApiTokenHash } from './api-token.js';

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

  it('tells a clear-text token (older versions) from a hash', () => {
    expect(isApiTokenHash('hk_upgradefixturetoken0000000000000000000000')).toBe(false);
    expect(isApiTokenHash(hashApiToken('anything'))).toBe(true);
  });
});
