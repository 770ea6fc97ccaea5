import { type RawBody, concat, hmacSha256, toBase64, toBytes, utf8 } from './bytes.js';
import { fail } from './errors.js';
import { importEd25519Private, parseKeys } from './keys.js';

/**
 * Signs like a Standard Webhooks sender: one `v1,` (whsec_) or `v1a,` (whsk_)
 * entry per secret, space separated: the `webhook-signature` header value.
 */
export async function sign(
  secretOrSecrets: string | readonly string[],
  id: string,
  timestamp: number | Date,
  body: RawBody,
): Promise<string> {
  const seconds = toSeconds(timestamp);
  const content = concat(utf8(`${id}.${seconds}.`), toBytes(body));
  const entries = await Promise.all(
    parseKeys(secretOrSecrets).map(async (key) => {
      if (key.kind === 'hmac') return `v1,${toBase64(await hmacSha256(key.secret, content))}`;
      if (!key.seed) throw fail('INVALID_SECRET', 'A whpk_ public key cannot sign; use the whsk_ secret key');
      const privateKey = await importEd25519Private({ seed: key.seed, publicKey: key.publicKey });
      return `v1a,${toBase64(new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, content)))}`;
    }),
  );
  return entries.join(' ');
}

export interface TestHeadersOptions {
  /** Defaults to a random `msg_...` id. */
  id?: string;
  /** Unix seconds or a Date; defaults to now. */
  timestamp?: number | Date;
}

export interface TestRequest {
  /** The exact body to send (a string payload is used as is, anything else is JSON-encoded). */
  body: string;
  headers: Record<'content-type' | 'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
}

/** Produces a body and valid headers for it, for users' own tests of their webhook routes. */
export async function testHeaders(
  secretOrSecrets: string | readonly string[],
  payload: unknown,
  options: TestHeadersOptions = {},
): Promise<TestRequest> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = options.id ?? `msg_${crypto.randomUUID().replace(/-/g, '')}`;
  const timestamp = toSeconds(options.timestamp ?? new Date());
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await sign(secretOrSecrets, id, timestamp, body),
    },
  };
}

const toSeconds = (t: number | Date): number => (t instanceof Date ? Math.floor(t.getTime() / 1000) : t);
