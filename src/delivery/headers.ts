import { readFileSync } from 'node:fs';
import { customHeaderProblem, customHeaderValueProblem } from '../core/custom-headers.js';
import { createSigner, type Signer, signatureHeader } from '../core/signing.js';
import type { EndpointSecret } from '../core/model.js';

/** `Hookline/<version>`; package.json sits two levels up from both src/delivery and dist/delivery. */
export const USER_AGENT = `Hookline/${
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version
}`;

/** The secrets that sign now: the current one and rotated ones still in their grace period. */
export function activeSecrets(secrets: readonly EndpointSecret[], now: Date): string[] {
  const t = now.getTime();
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > t).map((s) => s.key);
}

/** A bounded LRU of Signers: decoding a key (and ed25519 key objects) is not free on the hot path. */
export function createSignerCache(maxSize = 1024): (secret: string) => Signer {
  const cache = new Map<string, Signer>();
  return (secret) => {
    const hit = cache.get(secret);
    if (hit) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      cache.delete(secret);
      cache.set(secret, hit);
      return hit;
    }
    const signer = createSigner(secret);
    cache.set(secret, signer);
    if (cache.size > maxSize) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return signer;
  };
}

export interface HeaderInput {
  msgId: string;
  payload: string;
  secrets: readonly EndpointSecret[];
  customHeaders: Record<string, string>;
}

export type HeaderBuilder = (input: HeaderInput, now: Date) => Record<string, string>;

/** Builds the request headers of one attempt; the timestamp (and so the signature) is fresh per attempt. */
export function createHeaderBuilder(opts: { signerCacheSize?: number } = {}): HeaderBuilder {
  const signerFor = createSignerCache(opts.signerCacheSize);
  return (input, now) => {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    for (const [name, value] of Object.entries(input.customHeaders)) {
      // Stored headers the API's rules refuse are skipped rather than failing
      // every attempt. A stored User-Agent still replaces Hookline's default
      // (headers.test.ts), though the API refuses new ones.
      const lower = name.toLowerCase();
      const problem =
        lower === 'user-agent' ? customHeaderValueProblem(value) : customHeaderProblem(name, value);
      if (problem !== null) continue;
      headers[lower] = value;
    }
    const timestamp = Math.floor(now.getTime() / 1000);
    const signers = activeSecrets(input.secrets, now).map(signerFor);
    headers['content-type'] = 'application/json';
    headers['webhook-id'] = input.msgId;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signatureHeader(signers, input.msgId, timestamp, input.payload);
    return headers;
  };
}
