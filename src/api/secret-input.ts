import { ValidationError } from '../core/errors.js';
import {
  ed25519PublicKey,
  generateEd25519SecretKey,
  generateHmacSecret,
  type SecretKind,
  secretKind,
  validateSecret,
} from '../core/signing.js';
import type { Fields } from './validate.js';

/**
 * Secrets in requests and responses. Hookline adds two fields to the Svix
 * shapes: `secretKind` ("hmac" or "ed25519") on EndpointIn and
 * EndpointSecretRotateIn asks for a generated key of that kind, and
 * `publicKey` on EndpointSecretOut is the `whpk_` key receivers verify `v1a`
 * signatures with (null for HMAC secrets, which have no public half).
 */
const KINDS: readonly SecretKind[] = ['hmac', 'ed25519'];

/** A supplied `whsec_`/`whsk_` secret from field `key`; undefined when absent or invalid (issue recorded). */
export function readSecret(f: Fields, key: string): string | null | undefined {
  const secret = f.nullableString(key, { max: 1024 });
  if (typeof secret !== 'string') return secret;
  try {
    validateSecret(secret, ['body', key]);
    return secret;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    f.issues.push(...err.issues);
    return undefined;
  }
}

/** `secretKind`, which must agree with a secret supplied alongside it (in field `secretKey`). */
export function readSecretKind(
  f: Fields,
  supplied: string | null | undefined,
  secretKey: string,
): SecretKind | undefined {
  const kind = f.nullableString('secretKind');
  if (kind == null) return undefined;
  if (!KINDS.includes(kind as SecretKind)) {
    return f.fail('secretKind', `must be one of ${KINDS.join(', ')}`, 'value_error.const');
  }
  if (typeof supplied === 'string' && secretKind(supplied) !== kind) {
    const actual = secretKind(supplied) === 'ed25519' ? 'a whsk_ (ed25519)' : 'a whsec_ (hmac)';
    return f.fail('secretKind', `is ${kind} but the supplied ${secretKey} is ${actual} key`);
  }
  return kind as SecretKind;
}

export function generateSecret(kind: SecretKind): string {
  return kind === 'ed25519' ? generateEd25519SecretKey() : generateHmacSecret();
}

/** EndpointSecretOut with Hookline's `publicKey`. */
export function secretOut(key: string): { key: string; publicKey: string | null } {
  return { key, publicKey: secretKind(key) === 'ed25519' ? ed25519PublicKey(key) : null };
}
