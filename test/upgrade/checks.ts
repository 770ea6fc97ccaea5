import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EndpointSecret } from '../../src/core/model.js';
import type { Snapshot } from '../fixtures/upgrade/manifest.js';
import { verifyingSignatures } from '../helpers/ed25519.js';
import type { ReceivedRequest } from '../helpers/receiver.js';

/** A secret as stored, or as read back from JSON (the manifest's snapshot). */
type JsonSecret = Pick<EndpointSecret, 'key'> & { expiresAt: Date | string | null };

/**
 * The parts of a snapshot an upgrade must keep exactly. Open deliveries are
 * compared by what they owe (status, attempts, trigger, and the time a pending
 * retry is scheduled for) rather than their bookkeeping: a lease's expiry or
 * a row's updatedAt may be represented differently by a new queue model
 * without changing what gets delivered, which the delivery run checks.
 */
export function comparable(s: Snapshot, disabledEndpoints: ReadonlySet<string>) {
  return {
    ...s,
    messages: s.messages.map((m) => ({
      ...m,
      deliveries: m.deliveries.map((d) => {
        if (d.status !== 'pending' && d.status !== 'sending') return d;
        const { updatedAt: _u, nextAttemptAt, ...rest } = d;
        const keepsTime = d.status === 'pending' && !disabledEndpoints.has(d.endpointId);
        return keepsTime ? { ...rest, nextAttemptAt } : rest;
      }),
    })),
  };
}

const header = (r: ReceivedRequest, name: string): string => {
  const v = r.headers[name];
  if (typeof v !== 'string') throw new Error(`request ${r.index} has no ${name} header`);
  return v;
};

function hmacVerifies(signatures: string, key: string, content: string): boolean {
  const expected = createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64'))
    .update(content)
    .digest();
  return signatures
    .split(' ')
    .filter((e) => e.startsWith('v1,'))
    .some((e) => {
      const got = Buffer.from(e.slice(3), 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
}

/** `whpk_` of a stored `whsk_` key (seed, then public key). */
const publicOf = (whsk: string): string =>
  `whpk_${Buffer.from(whsk.slice('whsk_'.length), 'base64').subarray(32).toString('base64')}`;

/**
 * The endpoint's keys that signed this request, checked independently of
 * Hookline's signing code; also fails on any signature no key verifies.
 */
export function signingKeys(r: ReceivedRequest, secrets: readonly JsonSecret[]): string[] {
  const id = header(r, 'webhook-id');
  const ts = header(r, 'webhook-timestamp');
  const sigs = header(r, 'webhook-signature');
  const content = `${id}.${ts}.${r.body}`;
  const signed: string[] = [];
  let verified = 0;
  for (const { key } of secrets) {
    if (key.startsWith('whsec_') && hmacVerifies(sigs, key, content)) {
      signed.push(key);
      verified++;
    } else if (key.startsWith('whsk_')) {
      const n = verifyingSignatures(sigs, publicOf(key), id, ts, r.body).length;
      if (n > 0) signed.push(key);
      verified += n;
    }
  }
  const entries = sigs.split(' ').length;
  if (verified !== entries)
    throw new Error(`${entries - verified} of ${entries} signatures verify with no key`);
  return signed;
}

/** The keys that must sign at `timestampSec`: the current one and those still in their grace period. */
export const activeKeys = (secrets: readonly JsonSecret[], timestampSec: number): string[] =>
  secrets
    .filter((s) => s.expiresAt === null || new Date(s.expiresAt).getTime() > timestampSec * 1000)
    .map((s) => s.key);

/** Requests grouped by receiver path (the endpoint's name). */
export function byPath(requests: readonly ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const out = new Map<string, ReceivedRequest[]>();
  for (const r of requests) {
    const name = r.url.slice(1);
    out.set(name, [...(out.get(name) ?? []), r]);
  }
  return out;
}
