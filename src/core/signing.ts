import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { invalid } from './errors.js';

/**
 * Standard Webhooks signing. `whsec_` secrets sign `v1` (HMAC-SHA256) and
 * `whsk_` secret keys (libsodium layout: 32-byte seed then 32-byte public key)
 * sign `v1a` (ed25519). The signed content is `${id}.${timestamp}.${body}`.
 */
const HMAC_PREFIX = 'whsec_';
const ED25519_SECRET_PREFIX = 'whsk_';
const ED25519_PUBLIC_PREFIX = 'whpk_';
// DER header of a PKCS#8 ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');

export type SecretKind = 'hmac' | 'ed25519';

export function secretKind(secret: string): SecretKind {
  return secret.startsWith(ED25519_SECRET_PREFIX) ? 'ed25519' : 'hmac';
}

function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') ? bytes : undefined;
}

/** Throws a 422-mapped error when a user-supplied secret is not a usable `whsec_` or `whsk_` key. */
export function validateSecret(secret: string, loc: (string | number)[] = ['body', 'secret']): void {
  if (secret.startsWith(HMAC_PREFIX)) {
    const bytes = decodeBase64Strict(secret.slice(HMAC_PREFIX.length));
    if (!bytes || bytes.length < 24 || bytes.length > 64) {
      throw invalid(loc, 'a whsec_ secret must be whsec_ followed by 24 to 64 base64-encoded bytes');
    }
    return;
  }
  if (secret.startsWith(ED25519_SECRET_PREFIX)) {
    const bytes = decodeBase64Strict(secret.slice(ED25519_SECRET_PREFIX.length));
    if (bytes?.length !== 64) {
      throw invalid(
        loc,
        'a whsk_ secret key must be whsk_ followed by 64 base64-encoded bytes (seed + public key)',
      );
    }
    // Receivers verify with the public key we hand out, derived from the seed:
    // a second half that disagrees would make every v1a signature fail.
    if (!derivePublicKey(bytes.subarray(0, 32)).equals(bytes.subarray(32))) {
      throw invalid(loc, 'the public half of this whsk_ key does not belong to its seed');
    }
    return;
  }
  throw invalid(loc, 'secret must start with whsec_ (HMAC) or whsk_ (ed25519)');
}

export function generateHmacSecret(): string {
  return HMAC_PREFIX + randomBytes(32).toString('base64');
}

export function generateEd25519SecretKey(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_HEADER.length);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return ED25519_SECRET_PREFIX + Buffer.concat([seed, pub]).toString('base64');
}

function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_HEADER, seed]), format: 'der', type: 'pkcs8' });
}

function derivePublicKey(seed: Buffer): Buffer {
  return createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** The `whpk_` public key that verifies what a `whsk_` secret key signs, derived from its seed. */
export function ed25519PublicKey(secretKey: string): string {
  const seed = Buffer.from(secretKey.slice(ED25519_SECRET_PREFIX.length), 'base64').subarray(0, 32);
  return ED25519_PUBLIC_PREFIX + derivePublicKey(seed).toString('base64');
}

/** One secret prepared once for many signatures (key decoding is not free on the hot path). */
export interface Signer {
  sign(content: Buffer | string): string;
}

export function createSigner(secret: string): Signer {
  if (secretKind(secret) === 'ed25519') {
    const seed = Buffer.from(secret.slice(ED25519_SECRET_PREFIX.length), 'base64').subarray(0, 32);
    const key = privateKeyFromSeed(seed);
    return { sign: (content) => `v1a,${sign(null, Buffer.from(content), key).toString('base64')}` };
  }
  const key = Buffer.from(
    secret.startsWith(HMAC_PREFIX) ? secret.slice(HMAC_PREFIX.length) : secret,
    'base64',
  );
  return { sign: (content) => `v1,${createHmac('sha256', key).update(content).digest('base64')}` };
}

export function signedContent(msgId: string, timestampSec: number, body: string): string {
  return `${msgId}.${timestampSec}.${body}`;
}

/** The `webhook-signature` header value: one entry per secret, space separated. */
export function signatureHeader(
  signers: readonly Signer[],
  msgId: string,
  timestampSec: number,
  body: string,
): string {
  const content = signedContent(msgId, timestampSec, body);
  return signers.map((s) => s.sign(content)).join(' ');
}
