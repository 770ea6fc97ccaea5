import { describe, expect, it } from 'vitest';
import { MAX_PREVIOUS_SECRETS, rotateSecrets } from './endpoint-secret.js';

describe('rotateSecrets', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('makes the new key current and gives the old one the grace period', () => {
    expect(rotateSecrets([{ key: 'old', expiresAt: null }], 'new', 60_000, now)).toEqual([
      { key: 'new', expiresAt: null },
      { key: 'old', expiresAt: at(60_000) },
    ]);
  });

  it('drops expired keys, the old key at once with no grace, and keeps at most 10 previous', () => {
    const secrets = [
      { key: 'cur', expiresAt: null },
      { key: 'live', expiresAt: at(1000) },
      { key: 'dead', expiresAt: at(-1) },
    ];
    expect(rotateSecrets(secrets, 'new', 0, now).map((s) => s.key)).toEqual(['new', 'live']);
    const many = Array.from({ length: 15 }, (_, i) => ({
      key: `k${i}`,
      expiresAt: i === 0 ? null : at(5000),
    }));
    const rotated = rotateSecrets(many, 'new', 1000, now);
    expect(rotated).toHaveLength(1 + MAX_PREVIOUS_SECRETS);
    expect(rotated[1]).toEqual({ key: 'k0', expiresAt: at(1000) });
  });

  it('does not keep a second copy of a key that is rotated in again', () => {
    const rotated = rotateSecrets([{ key: 'same', expiresAt: null }], 'same', 1000, now);
    expect(rotated).toEqual([{ key: 'same', expiresAt: null }]);
  });
});
