import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HooklineError } from './errors.js';
import { createKeyring, envelopeKeyId, generateKey, isEnvelope, keyIdOf, parseKeys } from './secret-box.js';

const key = () => randomBytes(32);

describe('secret box (AES-256-GCM envelopes)', () => {
  it('seals to an envelope naming its key, without the plaintext, and opens it again', () => {
    const k = key();
    const ring = createKeyring([k]);
    const sealed = ring.seal('whsec_topsecret', 'secrets:ep_1');
    expect(sealed).toMatch(/^hlenc:v1:[0-9a-f]{8}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('topsecret');
    expect(isEnvelope(sealed)).toBe(true);
    expect(envelopeKeyId(sealed)).toBe(keyIdOf(k));
    expect(ring.primaryId).toBe(keyIdOf(k));
    expect(ring.open(sealed, 'secrets:ep_1')).toBe('whsec_topsecret');
    // A fresh IV per seal: the same value never gives the same envelope.
    expect(ring.seal('whsec_topsecret', 'secrets:ep_1')).not.toBe(sealed);
  });

  it('refuses an envelope moved to another context or altered', () => {
    const ring = createKeyring([key()]);
    const sealed = ring.seal('{"Authorization":"Bearer x"}', 'headers:ep_1');
    expect(() => ring.open(sealed, 'headers:ep_2')).toThrow(/does not authenticate/);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0]! ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => ring.open(parts.join(':'), 'headers:ep_1')).toThrow(/does not authenticate/);
  });

  it('rotates: the first key seals, every key opens, and a missing key is named by id', () => {
    const [oldKey, newKey] = [key(), key()];
    const before = createKeyring([oldKey]).seal('s', 'c');
    const both = createKeyring([newKey, oldKey]);
    expect(both.ids).toEqual([keyIdOf(newKey), keyIdOf(oldKey)]);
    expect(both.open(before, 'c')).toBe('s');
    const after = both.seal('s', 'c');
    expect(envelopeKeyId(after)).toBe(keyIdOf(newKey));
    const onlyNew = createKeyring([newKey]);
    expect(onlyNew.open(after, 'c')).toBe('s');
    let error: unknown;
    try {
      onlyNew.open(before, 'c');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HooklineError);
    expect((error as HooklineError).code).toBe('CONFIG_INVALID');
    expect((error as HooklineError).message).toContain(`key id ${keyIdOf(oldKey)}`);
  });

  it('parses keys as hex or base64, comma- or line-separated, and never echoes one it refuses', () => {
    const k = key();
    const parsed = parseKeys(
      `# rotated 2026-12, new key first\n${k.toString('base64')}\n${k.toString('hex')}, ${k.toString('base64url')}\n`,
      'key file',
    );
    expect(parsed.map((p) => p.equals(k))).toEqual([true, true, true]);
    expect(parseKeys(generateKey(), 'x')).toHaveLength(1);
    const bad = 'not-a-key-at-all-but-secret';
    expect(() => parseKeys(`${k.toString('hex')},${bad}`, '--encryption-key')).toThrow(
      /--encryption-key: key 2 of 2 is not 32 bytes/,
    );
    try {
      parseKeys(bad, 'x');
    } catch (err) {
      expect((err as Error).message).not.toContain(bad);
    }
    // 16 bytes in base64 is refused too (AES-256 needs 32).
    expect(() => parseKeys(randomBytes(16).toString('base64'), 'x')).toThrow(/not 32 bytes/);
    expect(() => parseKeys('# only a comment\n', 'key file')).toThrow(/no key given/);
  });

  it('tells envelopes from clear-text values', () => {
    expect(envelopeKeyId('whsec_abc')).toBeNull();
    expect(isEnvelope('[{"key":"whsec_abc"}]')).toBe(false);
  });
});
