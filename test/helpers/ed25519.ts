import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';

/**
 * Ed25519 for tests, written against Node's crypto only (JWK), not Hookline's
 * signing code, so a test that verifies with these checks Hookline's keys and
 * signatures independently.
 */
export function publicKeyOf(whpk: string): KeyObject {
  if (!whpk.startsWith('whpk_')) throw new Error(`not a whpk_ key: ${whpk}`);
  const x = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' });
}

/** A fresh key pair as a `whsk_` secret key (seed + public key) and its `whpk_` public key. */
export function newKeyPair(): { whsk: string; whpk: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  return {
    whsk: `whsk_${Buffer.concat([seed, pub]).toString('base64')}`,
    whpk: `whpk_${pub.toString('base64')}`,
  };
}

/** The `whpk_` key Node derives from a `whsk_` key's seed (ignoring the public half stored in it). */
export function derivedPublicKey(whsk: string): string {
  const seed = Buffer.from(whsk.slice('whsk_'.length), 'base64').subarray(0, 32);
  // PKCS#8 wrapping of a raw ed25519 seed (RFC 8410); createPublicKey derives the public half.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(privateKey).export({ format: 'jwk' });
  return `whpk_${Buffer.from(pub.x ?? '', 'base64url').toString('base64')}`;
}

/** The `v1a` entries of a webhook-signature header that verify with `whpk` over the signed content. */
export function verifyingSignatures(
  signatureHeader: string,
  whpk: string,
  msgId: string,
  timestamp: string,
  body: string,
): string[] {
  const key = publicKeyOf(whpk);
  const content = Buffer.from(`${msgId}.${timestamp}.${body}`);
  return signatureHeader
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .filter((entry) => verify(null, content, key, Buffer.from(entry.slice(4), 'base64')));
}
