import { createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { payloadOf, vectors } from '../../test/helpers/vectors.js';
import {
  createSigner,
  ed25519PublicKey,
  generateEd25519SecretKey,
  generateHmacSecret,
  signatureHeader,
  signedContent,
  validateSecret,
} from './signing.js';

function spkiFromWhpk(publicKey: string) {
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  return createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });
}

describe('Standard Webhooks signing', () => {
  it.each(vectors.hmac.map((v) => [v.name, v] as const))('matches HMAC vector %s', (_name, v) => {
    expect(createSigner(v.secret!).sign(signedContent(v.msgId, Number(v.timestamp), payloadOf(v)))).toBe(
      v.signature,
    );
  });

  it.each(vectors.ed25519.map((v) => [v.name, v] as const))('matches ed25519 vector %s', (_name, v) => {
    expect(createSigner(v.secretKey!).sign(signedContent(v.msgId, Number(v.timestamp), payloadOf(v)))).toBe(
      v.signature,
    );
    expect(ed25519PublicKey(v.secretKey!)).toBe(v.publicKey);
  });

  it('does not reproduce the must-fail vector at the current time', () => {
    for (const v of vectors.mustFail) {
      const now = Math.floor(Date.now() / 1000);
      expect(createSigner(v.secret!).sign(signedContent(v.msgId, now, payloadOf(v)))).not.toBe(v.signature);
    }
  });

  it('produces headers the standardwebhooks verifier accepts, one entry per secret', () => {
    const current = generateHmacSecret();
    const previous = generateHmacSecret();
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ hello: 'world' });
    const header = signatureHeader([createSigner(current), createSigner(previous)], 'msg_1', ts, body);
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      const payload = new Webhook(secret).verify(body, {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': header,
      });
      expect(payload).toEqual({ hello: 'world' });
    }
  });

  it('signs v1a with generated ed25519 keys that verify against the public key', () => {
    const secretKey = generateEd25519SecretKey();
    validateSecret(secretKey);
    const sig = createSigner(secretKey).sign('msg_1.1.{}');
    expect(sig.startsWith('v1a,')).toBe(true);
    const ok = verify(
      null,
      Buffer.from('msg_1.1.{}'),
      spkiFromWhpk(ed25519PublicKey(secretKey)),
      Buffer.from(sig.slice(4), 'base64'),
    );
    expect(ok).toBe(true);
  });

  it('derives the public key from the seed and refuses a whsk_ key whose halves disagree', () => {
    const good = generateEd25519SecretKey();
    const other = generateEd25519SecretKey();
    const raw = (k: string) => Buffer.from(k.slice('whsk_'.length), 'base64');
    const mixed = `whsk_${Buffer.concat([raw(good).subarray(0, 32), raw(other).subarray(32)]).toString('base64')}`;
    expect(() => validateSecret(mixed)).toThrow(/does not belong to its seed/);
    expect(ed25519PublicKey(mixed)).toBe(ed25519PublicKey(good));
  });

  it('rejects malformed secrets with a validation error', () => {
    expect(() => validateSecret('nope')).toThrow(/whsec_/);
    expect(() => validateSecret('whsec_!!!')).toThrow(/base64/);
    expect(() => validateSecret('whsec_AAAA')).toThrow(/24 to 64/);
    expect(() => validateSecret(generateHmacSecret())).not.toThrow();
  });
});
