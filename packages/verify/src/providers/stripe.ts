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
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, the
 * HMAC-SHA256 of `${t}.${body}` keyed with the whole `whsec_...` string. The
 * returned id is the event's `id` (`evt_...`), which Stripe keeps across retries.
 */
export async function verifyStripe<T = unknown>(
  rawBody: RawBody,
  headers: HeaderSource,
  secretOrSecrets: string | readonly string[],
  options: ProviderOptions = {},
): Promise<ProviderWebhook<T>> {
  const body = toBytes(rawBody);
  const secrets = secretList(secretOrSecrets);
  const header = requireProviderHeader(headers, 'stripe-signature');
  let timestampText: string | undefined;
  const candidates: Uint8Array[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') timestampText = value;
    const bytes = key === 'v1' ? fromHex(value) : undefined;
    if (bytes?.length === 32) candidates.push(bytes);
  }
  if (timestampText === undefined || candidates.length === 0) {
    throw fail('INVALID_SIGNATURE_FORMAT', 'Stripe-Signature must hold t=<timestamp> and v1=<hex> entries');
  }
  const timestamp = providerTimestamp(timestampText, options);
  if (!(await hmacMatches(secrets, concat(utf8(`${timestampText}.`), body), candidates))) {
    noMatch('Stripe-Signature');
  }
  const payload = parsePayload(decodeUtf8(body), headers);
  return { id: stringField(payload, 'id'), timestamp, payload: payload as T };
}
