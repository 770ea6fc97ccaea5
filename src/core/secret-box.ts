import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { HooklineError } from './errors.js';

/**
 * Encryption at rest of endpoint secrets and header values: AES-256-GCM under
 * a main key, as an envelope that names its key.
 *
 *   hlenc:v1:<key id>:<iv>:<ciphertext>:<tag>     (iv, ciphertext, tag: base64url)
 *
 * The key id is the first 8 hex digits of SHA-256 over a fixed label and the
 * key: derived, never stored, so an operator holding several keys need not
 * name them, and a wrong key can never be taken for the right one. A random
 * 96-bit IV per seal. The additional data binds the envelope to its version,
 * key id and context (column and endpoint id), so a ciphertext copied into
 * another row or column does not open there.
 */
const PREFIX = 'hlenc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Decrypted values kept per keyring; the claim maps the same few endpoints over and over. */
const CACHE_ENTRIES = 4096;

export interface Keyring {
  /** The key new envelopes are sealed with (the first one given). */
  readonly primaryId: string;
  /** Every key id that opens, primary first. */
  readonly ids: readonly string[];
  seal(plaintext: string, context: string): string;
  /** CONFIG_INVALID when the envelope's key is not in the ring; INTERNAL when it does not authenticate. */
  open(envelope: string, context: string): string;
}

export const keyIdOf = (key: Buffer): string =>
  createHash('sha256').update('hookline encryption key id\0').update(key).digest('hex').slice(0, 8);

export const isEnvelope = (text: string): boolean => text.startsWith(PREFIX);

/** The key id an envelope names, or null for anything else. */
export function envelopeKeyId(text: string): string | null {
  if (!isEnvelope(text)) return null;
  const id = text.slice(PREFIX.length).split(':', 1)[0];
  return id === undefined || id === '' ? null : id;
}

/** A fresh random key as base64, the form keys are given in. */
export const generateKey = (): string => randomBytes(KEY_BYTES).toString('base64');

/**
 * Keys as given on the command line or in a key file: comma- or
 * newline-separated, each 32 bytes as 64 hex digits or base64 (standard or
 * url-safe); blank lines and `#` comments are skipped. The first one
 * encrypts. Messages name a key by its position, never by its text.
 */
export function parseKeys(text: string, source: string): Buffer[] {
  const items = text
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new HooklineError('CONFIG_INVALID', `${source}: no key given`);
  return items.map((item, i) => {
    const key = /^[0-9a-f]{64}$/i.test(item)
      ? Buffer.from(item, 'hex')
      : /^[A-Za-z0-9+/_-]{43}=?$/.test(item)
        ? Buffer.from(item.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
        : null;
    if (key?.length !== KEY_BYTES) {
      throw new HooklineError(
        'CONFIG_INVALID',
        `${source}: key ${i + 1} of ${items.length} is not 32 bytes as 64 hex digits or base64 (make one with: openssl rand -base64 32)`,
      );
    }
    return key;
  });
}

const aad = (keyId: string, context: string) => Buffer.from(`${PREFIX}${keyId}:${context}`);

export function createKeyring(keys: readonly Buffer[]): Keyring {
  if (keys.length === 0) throw new HooklineError('CONFIG_INVALID', 'an encryption keyring needs a key');
  const byId = new Map<string, Buffer>();
  for (const key of keys) {
    if (key.length !== KEY_BYTES) throw new HooklineError('CONFIG_INVALID', 'encryption keys are 32 bytes');
    byId.set(keyIdOf(key), key);
  }
  const ids = [...byId.keys()];
  const primaryId = ids[0]!;
  const primary = byId.get(primaryId)!;
  // By envelope and context: an envelope is never rewritten in place (every seal has a
  // fresh IV), so a cached plaintext stays right for as long as that envelope exists.
  const cache = new Map<string, string>();
  const remember = (k: string, v: string) => {
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(k, v);
  };
  return {
    primaryId,
    ids,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', primary, iv);
      cipher.setAAD(aad(primaryId, context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${PREFIX}${primaryId}:${[iv, body, tag].map((b) => b.toString('base64url')).join(':')}`;
    },
    open(envelope, context) {
      const cacheKey = `${context}\n${envelope}`;
      const cached = cache.get(cacheKey);
      if (cached !== undefined) return cached;
      const parts = envelope.startsWith(PREFIX) ? envelope.slice(PREFIX.length).split(':') : [];
      const [keyId, iv, body, tag] = parts;
      if (parts.length !== 4 || keyId === undefined || iv === undefined || body === undefined || !tag) {
        throw new HooklineError('INTERNAL', `not an encrypted value (${context})`);
      }
      const key = byId.get(keyId);
      if (!key) throw missingKey(keyId, ids);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(aad(keyId, context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
        const text = plain.toString('utf8');
        remember(cacheKey, text);
        return text;
      } catch (err) {
        throw new HooklineError(
          'INTERNAL',
          `encrypted value (${context}, key id ${keyId}) does not authenticate: altered or copied from elsewhere`,
          { cause: err },
        );
      }
    },
  };
}

/** The start-up error for ciphertext under a key this process was not given. */
export function missingKey(keyId: string, have: readonly string[]): HooklineError {
  const given =
    have.length === 0 ? 'no encryption key was given' : `the keys given have ids ${have.join(', ')}`;
  return new HooklineError(
    'CONFIG_INVALID',
    `the database holds secrets encrypted with key id ${keyId}, but ${given}; pass that key with --encryption-key, HOOKLINE_ENCRYPTION_KEY or --encryption-key-file`,
  );
}
