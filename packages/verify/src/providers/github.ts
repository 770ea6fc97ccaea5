import { type RawBody, decodeUtf8, fromHex, toBytes } from '../bytes.js';
import { fail } from '../errors.js';
import { type HeaderSource, getHeader } from '../headers.js';
import {
  type ProviderWebhook,
  hmacMatches,
  noMatch,
  parsePayload,
  requireProviderHeader,
  secretList,
} from './common.js';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. GitHub
 * signs no timestamp, so replays cannot be bounded by time; the returned id is
 * `X-GitHub-Delivery`, which is not covered by the signature (use it to
 * deduplicate redeliveries, not as proof of anything).
 */
export async function verifyGithub<T = unknown>(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
): Promise<ProviderWebhook<T>> {
  const body = toBytes(rawBody);
  const secrets = secretList(secretOrSecrets);
  const header = requireProviderHeader(headers, 'x-hub-signature-256');
  const signature = header.startsWith('sha256=') ? fromHex(header.slice('sha256='.length)) : undefined;
  if (signature?.length !== 32) {
    throw fail('INVALID_SIGNATURE_FORMAT', 'X-Hub-Signature-256 must be sha256=<64 hex digits>');
  }
  if (!(await hmacMatches(secrets, body, [signature]))) noMatch('X-Hub-Signature-256');
  const payload = parsePayload(decodeUtf8(body), headers) as T;
  return { id: getHeader(headers, 'x-github-delivery'), timestamp: undefined, payload };
}
