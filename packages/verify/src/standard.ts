import {
  type Bytes,
  type RawBody,
  concat,
  constantTimeEqual,
  decodeUtf8,
  fromBase64,
  toBytes,
  utf8,
} from './bytes.js';
import { fail } from './errors.js';
import { type HeaderSource, getHeader } from './headers.js';
import { type ParsedKey, importEd25519Public, parseKeys } from './keys.js';

/**
 * Standard Webhooks verification (https://www.standardwebhooks.com): the
 * signature covers `${id}.${timestamp}.${body}`; `v1` is HMAC-SHA256 with a
 * `whsec_` secret, `v1a` is ed25519 with a `whpk_` public key. Only Web Crypto
 * is used, so this runs in Node 20+ and in Web-standard runtimes alike.
 */

export interface VerifyOptions {
  /** Accepted clock difference in seconds, in both directions. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** Current time in milliseconds since the epoch, like `Date.now` (the default); for tests. */
  now?: () => number;
}

export interface VerifiedWebhook<T = unknown> {
  /** The message id (`webhook-id`): the same on every retry, so the key for idempotency. */
  id: string;
  /** Unix seconds of this attempt (`webhook-timestamp`), checked against the tolerance. */
  timestamp: number;
  payload: T;
}

export interface Verifier {
  /** Verifies and parses the JSON payload. */
  verify<T = unknown>(rawBody: RawBody, headers: HeaderSource): Promise<VerifiedWebhook<T>>;
  /** Verifies and returns the body as text, without parsing it. */
  verifyRaw(rawBody: RawBody, headers: HeaderSource): Promise<VerifiedWebhook<string>>;
}

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
// A signature is `v1,<32 bytes>` or `v1a,<64 bytes>`; other versions are skipped, for forward compatibility.
const SIGNATURE_BYTES: Record<string, number> = { v1: 32, v1a: 64 };

type Prepared = { kind: 'hmac'; key: CryptoKey } | { kind: 'ed25519'; key: CryptoKey };
interface Signature {
  version: string;
  bytes: Bytes;
}

/** Prepares the secrets once (they are parsed now, so a bad secret fails at startup). */
export function createVerifier(secrets: string | readonly string[], options: VerifyOptions = {}): Verifier {
  const keys = parseKeys(secrets);
  let prepared: Promise<Prepared[]> | undefined;
  const tolerance = checkTolerance(options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  const now = options.now ?? Date.now;

  async function verifyRaw(rawBody: RawBody, headers: HeaderSource): Promise<VerifiedWebhook<string>> {
    const body = toBytes(rawBody);
    const id = requireHeader(headers, 'id');
    const timestamp = checkTimestamp(requireHeader(headers, 'timestamp'), now(), tolerance);
    const signatures = parseSignatures(requireHeader(headers, 'signature'));
    prepared ??= Promise.all(keys.map(prepare));
    const content = concat(utf8(`${id}.${timestamp}.`), body);
    if (!(await anyMatches(await prepared, signatures, content))) {
      throw fail('NO_MATCHING_SIGNATURE', 'No signature in webhook-signature matches any of the secrets');
    }
    return { id, timestamp, payload: decodeUtf8(body) };
  }

  return {
    verifyRaw,
    async verify<T>(rawBody: RawBody, headers: HeaderSource) {
      const verified = await verifyRaw(rawBody, headers);
      return { ...verified, payload: parseJson(verified.payload) as T };
    },
  };
}

/** One-shot verification; prefer `createVerifier` to prepare the keys once per process. */
export function verify<T = unknown>(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
  options?: VerifyOptions,
): Promise<VerifiedWebhook<T>> {
  return Promise.resolve().then(() => createVerifier(secretOrSecrets, options).verify<T>(rawBody, headers));
}

/** Like `verify`, but returns the body as text without parsing it. */
export function verifyRaw(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
  options?: VerifyOptions,
): Promise<VerifiedWebhook<string>> {
  return Promise.resolve().then(() => createVerifier(secretOrSecrets, options).verifyRaw(rawBody, headers));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw fail('INVALID_PAYLOAD', 'The verified body is not valid JSON');
  }
}

/** `webhook-*` headers, falling back to the `svix-*` names Svix senders use. */
function requireHeader(headers: HeaderSource, name: 'id' | 'timestamp' | 'signature'): string {
  const value = getHeader(headers, `webhook-${name}`) ?? getHeader(headers, `svix-${name}`);
  if (!value) throw fail('MISSING_HEADER', `Missing the webhook-${name} header`);
  return value;
}

/**
 * A tolerance must be a non-negative number of seconds: `NaN` (say from an
 * unset environment variable) would make both clock comparisons false and
 * accept any timestamp, turning replay protection off without a word.
 */
export function checkTolerance(seconds: number): number {
  if (typeof seconds !== 'number' || !(seconds >= 0) || seconds === Number.POSITIVE_INFINITY) {
    throw new RangeError(`toleranceSeconds must be a non-negative finite number, got ${String(seconds)}`);
  }
  return seconds;
}

/** Checks the timestamp against the clock, which bounds how long a captured request can be replayed. */
export function checkTimestamp(text: string, nowMs: number, toleranceSeconds: number): number {
  if (!/^\d{1,15}$/.test(text)) {
    throw fail('INVALID_TIMESTAMP', 'The timestamp header must be unix seconds (digits only)');
  }
  const timestamp = Number(text);
  const now = Math.floor(nowMs / 1000);
  if (now - timestamp > toleranceSeconds) {
    throw fail('TIMESTAMP_TOO_OLD', `The timestamp is more than ${toleranceSeconds}s in the past`);
  }
  if (timestamp - now > toleranceSeconds) {
    throw fail('TIMESTAMP_TOO_NEW', `The timestamp is more than ${toleranceSeconds}s in the future`);
  }
  return timestamp;
}

/**
 * Space-separated `version,base64` entries. Malformed entries are skipped so one
 * bad entry cannot mask a good one; if none is well formed the header is invalid.
 * A request that carried the header twice arrives joined as `v1,AAA=, v1,BBB=`
 * (Node and Fetch join repeated headers with ", "), hence the trailing comma cut.
 */
function parseSignatures(header: string): Signature[] {
  const signatures: Signature[] = [];
  for (const raw of header.split(' ')) {
    const entry = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    const comma = entry.indexOf(',');
    if (comma <= 0) continue;
    const version = entry.slice(0, comma);
    const bytes = fromBase64(entry.slice(comma + 1));
    const expected = SIGNATURE_BYTES[version];
    if (!bytes || (expected !== undefined && bytes.length !== expected)) continue;
    signatures.push({ version, bytes });
  }
  if (signatures.length === 0) {
    throw fail('INVALID_SIGNATURE_FORMAT', 'webhook-signature holds no well-formed "v1,<base64>" entry');
  }
  return signatures;
}

async function prepare(key: ParsedKey): Promise<Prepared> {
  if (key.kind === 'ed25519') return { kind: 'ed25519', key: await importEd25519Public(key.publicKey) };
  const hmac = await crypto.subtle.importKey('raw', key.secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return { kind: 'hmac', key: hmac };
}

async function anyMatches(keys: Prepared[], signatures: Signature[], content: Bytes): Promise<boolean> {
  for (const key of keys) {
    if (key.kind === 'hmac') {
      const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key.key, content));
      for (const s of signatures) if (s.version === 'v1' && constantTimeEqual(s.bytes, expected)) return true;
    } else {
      for (const s of signatures) {
        if (s.version === 'v1a' && (await crypto.subtle.verify('Ed25519', key.key, s.bytes, content)))
          return true;
      }
    }
  }
  return false;
}
