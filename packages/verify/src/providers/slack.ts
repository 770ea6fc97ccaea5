import { type RawBody, concat, decodeUtf8, fromHex, toBytes, utf8 } from '../bytes.js';
import { fail } from '../errors.js';
import type { HeaderSource } from '../headers.js';
import {
  type ProviderOptions,
  type ProviderWebhook,
  hmacMatches,
  noMatch,
  parsePayload,
  providerTimestamp,
  requireProviderHeader,
  secretList,
  stringField,
} from './common.js';

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, the HMAC-SHA256 of `v0:${ts}:${body}`
 * keyed with the signing secret, `ts` from `X-Slack-Request-Timestamp`. The
 * returned id is the Events API `event_id` when the body has one.
 */
export async function verifySlack<T = unknown>(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
  options: ProviderOptions = {},
): Promise<ProviderWebhook<T>> {
  const body = toBytes(rawBody);
  const secrets = secretList(secretOrSecrets);
  const header = requireProviderHeader(headers, 'x-slack-signature');
  const timestampText = requireProviderHeader(headers, 'x-slack-request-timestamp');
  const signature = header.startsWith('v0=') ? fromHex(header.slice('v0='.length)) : undefined;
  if (signature?.length !== 32) {
    throw fail('INVALID_SIGNATURE_FORMAT', 'X-Slack-Signature must be v0=<64 hex digits>');
  }
  const timestamp = providerTimestamp(timestampText, options);
  if (!(await hmacMatches(secrets, concat(utf8(`v0:${timestampText}:`), body), [signature]))) {
    noMatch('X-Slack-Signature');
  }
  const payload = parsePayload(decodeUtf8(body), headers);
  return { id: stringField(payload, 'event_id'), timestamp, payload: payload as T };
}
