import { type RawBody, decodeUtf8, fromBase64, toBytes } from '../bytes.js';
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
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed
 * with the app's client secret. No timestamp is signed; the returned id is
 * `X-Shopify-Webhook-Id` (unsigned, stable across retries: for deduplication).
 */
export async function verifyShopify<T = unknown>(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
): Promise<ProviderWebhook<T>> {
  const body = toBytes(rawBody);
  const secrets = secretList(secretOrSecrets);
  const signature = fromBase64(requireProviderHeader(headers, 'x-shopify-hmac-sha256'));
  if (signature?.length !== 32) {
    throw fail('INVALID_SIGNATURE_FORMAT', 'X-Shopify-Hmac-Sha256 must be a base64 HMAC-SHA256');
  }
  if (!(await hmacMatches(secrets, body, [signature]))) noMatch('X-Shopify-Hmac-Sha256');
  const payload = parsePayload(decodeUtf8(body), headers) as T;
  return { id: getHeader(headers, 'x-shopify-webhook-id'), timestamp: undefined, payload };
}
