import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, sign, verifyRaw } from '@hookline/verify';
import { vectors } from '../../../test/helpers/vectors.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const secretArb = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const idArb = fc.string({ minLength: 1, maxLength: 40 });
const bodyArb = fc.uint8Array({ maxLength: 2048 });
// Any timestamp inside the default 5-minute tolerance.
const skewArb = fc.integer({ min: -290, max: 290 });

async function signed(secret: string, id: string, body: Uint8Array, skew: number) {
  const ts = nowSeconds() + skew;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': await sign(secret, id, ts, body),
  };
}

/** Flips one byte (by a non-zero XOR) at an index chosen by the property. */
const flip = (bytes: Uint8Array, index: number, mask: number): Uint8Array => {
  const copy = bytes.slice();
  const i = index % copy.length;
  copy[i] = copy[i]! ^ mask;
  return copy;
};
const flipChar = (text: string, index: number, mask: number): string => {
  const i = index % text.length;
  return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ mask) + text.slice(i + 1);
};
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('properties', () => {
  it('sign then verify round-trips any secret, id, body and in-tolerance timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        idArb,
        fc.string({ unit: 'grapheme', maxLength: 500 }),
        skewArb,
        async (secret, id, text, skew) => {
          const headers = await signed(secret, id, new TextEncoder().encode(text), skew);
          const result = await verifyRaw(text, headers, secret);
          expect(result.id).toBe(id);
          expect(result.payload).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips ed25519 (v1a) signatures and rejects a flipped body byte', async () => {
    const { secretKey, publicKey } = vectors.ed25519[0]!;
    await fc.assert(
      fc.asyncProperty(
        idArb,
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        fc.nat(),
        skewArb,
        async (id, text, index, skew) => {
          const body = new TextEncoder().encode(text);
          const headers = await signed(secretKey!, id, body, skew);
          expect(headers['webhook-signature']).toMatch(/^v1a,/);
          expect((await verifyRaw(text, headers, publicKey!)).payload).toBe(text);
          const error = await rejection(verifyRaw(flip(body, index, 1), headers, publicKey!));
          expect((error as WebhookVerificationError).code).toBe('NO_MATCHING_SIGNATURE');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects any single flipped byte of the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        idArb,
        bodyArb.filter((b) => b.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        skewArb,
        async (secret, id, body, index, mask, skew) => {
          const headers = await signed(secret, id, body, skew);
          const error = await rejection(verifyRaw(flip(body, index, mask), headers, secret));
          expect(error).toBeInstanceOf(WebhookVerificationError);
          expect((error as WebhookVerificationError).code).toBe('NO_MATCHING_SIGNATURE');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects any single flipped character of the id', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        idArb,
        bodyArb,
        fc.nat(),
        fc.integer({ min: 1, max: 127 }),
        skewArb,
        async (secret, id, body, index, mask, skew) => {
          const headers = await signed(secret, id, body, skew);
          const tampered = { ...headers, 'webhook-id': flipChar(id, index, mask) };
          expect(await rejection(verifyRaw(body, tampered, secret))).toBeInstanceOf(WebhookVerificationError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects any single flipped character of the timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        idArb,
        bodyArb,
        fc.nat(),
        fc.integer({ min: 1, max: 127 }),
        skewArb,
        async (secret, id, body, index, mask, skew) => {
          const headers = await signed(secret, id, body, skew);
          const tampered = {
            ...headers,
            'webhook-timestamp': flipChar(headers['webhook-timestamp'], index, mask),
          };
          const error = await rejection(verifyRaw(body, tampered, secret));
          expect(error).toBeInstanceOf(WebhookVerificationError);
          expect([
            'INVALID_TIMESTAMP',
            'TIMESTAMP_TOO_OLD',
            'TIMESTAMP_TOO_NEW',
            'NO_MATCHING_SIGNATURE',
          ]).toContain((error as WebhookVerificationError).code);
        },
      ),
      { numRuns: 200 },
    );
  });
});
