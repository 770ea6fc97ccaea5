import { type Bytes, fromBase64, toBase64 } from './bytes.js';
import { fail } from './errors.js';

/**
 * Standard Webhooks key formats:
 * - `whsec_<base64>` (or the bare base64): an HMAC-SHA256 secret, signs and verifies `v1`;
 * - `whpk_<base64 32 bytes>`: an ed25519 public key, verifies `v1a`;
 * - `whsk_<base64 64 bytes>`: an ed25519 secret key (seed then public key, the
 *   libsodium layout), signs `v1a` and can verify it too.
 */
export type ParsedKey =
  | { kind: 'hmac'; secret: Bytes }
  | { kind: 'ed25519'; publicKey: Bytes; seed: Bytes | undefined };

const PREFIXES = { hmac: 'whsec_', publicKey: 'whpk_', secretKey: 'whsk_' } as const;

/** Parses one key; throws INVALID_SECRET (never echoing the secret) when it is unusable. */
export function parseKey(secret: unknown): ParsedKey {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw fail('INVALID_SECRET', 'The secret must be a non-empty string (whsec_..., whpk_... or whsk_...)');
  }
  if (secret.startsWith(PREFIXES.publicKey)) {
    const publicKey = fromBase64(secret.slice(PREFIXES.publicKey.length));
    if (publicKey?.length !== 32) throw fail('INVALID_SECRET', 'A whpk_ key must hold 32 base64 bytes');
    return { kind: 'ed25519', publicKey, seed: undefined };
  }
  if (secret.startsWith(PREFIXES.secretKey)) {
    const bytes = fromBase64(secret.slice(PREFIXES.secretKey.length));
    if (bytes?.length !== 64) throw fail('INVALID_SECRET', 'A whsk_ key must hold 64 base64 bytes');
    return { kind: 'ed25519', seed: bytes.slice(0, 32), publicKey: bytes.slice(32) };
  }
  const body = secret.startsWith(PREFIXES.hmac) ? secret.slice(PREFIXES.hmac.length) : secret;
  const bytes = fromBase64(body);
  if (!bytes) throw fail('INVALID_SECRET', 'A whsec_ secret must be whsec_ followed by base64');
  return { kind: 'hmac', secret: bytes };
}

export function parseKeys(secrets: string | readonly string[]): ParsedKey[] {
  const list = typeof secrets === 'string' ? [secrets] : [...secrets];
  if (list.length === 0) throw fail('INVALID_SECRET', 'At least one secret is required');
  return list.map(parseKey);
}

const base64url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Web Crypto has no raw import for ed25519 private keys; a JWK carries the seed portably. */
export function importEd25519Private(key: { seed: Uint8Array; publicKey: Uint8Array }): Promise<CryptoKey> {
  const jwk = { kty: 'OKP', crv: 'Ed25519', d: base64url(key.seed), x: base64url(key.publicKey) };
  return crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
}

export function importEd25519Public(publicKey: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
}

/** A fresh `whsec_` secret (32 random bytes), for tests and for senders. */
export function generateSecret(): string {
  return PREFIXES.hmac + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}
