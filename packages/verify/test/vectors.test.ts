import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, sign, verify, verifyRaw } from '@hookline/verify';
import { payloadOf, vectors } from '../../../test/helpers/vectors.js';

const headersOf = (msgId: string, timestamp: number | string, signature: string) => ({
  'webhook-id': msgId,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});
// Vectors are fixed in time: verify them with the clock set to their timestamp.
const at = (timestamp: number | string | undefined) => ({ now: () => Number(timestamp) * 1000 });

describe('Standard Webhooks test vectors', () => {
  it('has vectors of every kind', () => {
    expect(vectors.hmac.length).toBeGreaterThanOrEqual(5);
    expect(vectors.ed25519.length).toBeGreaterThanOrEqual(1);
    expect(vectors.mustFail.length).toBeGreaterThanOrEqual(1);
  });

  it.each(vectors.hmac.map((v) => [v.name, v] as const))('verifies HMAC vector %s', async (_name, v) => {
    const payload = payloadOf(v);
    const headers = headersOf(v.msgId, v.timestamp!, v.signature);
    const result = await verifyRaw(payload, headers, v.secret!, at(v.timestamp));
    expect(result).toEqual({ id: v.msgId, timestamp: Number(v.timestamp), payload });
    // The same secret without its whsec_ prefix, and the body as bytes.
    const bare = v.secret!.slice('whsec_'.length);
    await expect(verifyRaw(Buffer.from(payload), headers, bare, at(v.timestamp))).resolves.toMatchObject({
      id: v.msgId,
    });
    expect(await sign(v.secret!, v.msgId, Number(v.timestamp), payload)).toBe(v.signature);
  });

  it('parses the JSON payload of the small HMAC vectors', async () => {
    for (const v of vectors.hmac.filter((x) => x.payload !== undefined)) {
      const result = await verify(
        v.payload!,
        headersOf(v.msgId, v.timestamp!, v.signature),
        v.secret!,
        at(v.timestamp),
      );
      expect(result.payload).toEqual(JSON.parse(v.payload!));
    }
  });

  it.each(vectors.ed25519.map((v) => [v.name, v] as const))(
    'verifies ed25519 vector %s',
    async (_name, v) => {
      const payload = payloadOf(v);
      const headers = headersOf(v.msgId, v.timestamp!, v.signature);
      const result = await verify(payload, headers, v.publicKey!, at(v.timestamp));
      expect(result).toEqual({ id: v.msgId, timestamp: Number(v.timestamp), payload: JSON.parse(payload) });
      // The secret key verifies too (it contains the public key), and signs the same (ed25519 is deterministic).
      await expect(verify(payload, headers, v.secretKey!, at(v.timestamp))).resolves.toBeDefined();
      expect(await sign(v.secretKey!, v.msgId, Number(v.timestamp), payload)).toBe(v.signature);
    },
  );

  it('rejects an ed25519 vector under another public key and a tampered body', async () => {
    const v = vectors.ed25519[0]!;
    const headers = headersOf(v.msgId, v.timestamp!, v.signature);
    const otherKey = `whpk_${Buffer.alloc(32, 7).toString('base64')}`;
    await expect(verify(payloadOf(v), headers, otherKey, at(v.timestamp))).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURE',
    });
    await expect(verify(`${payloadOf(v)} `, headers, v.publicKey!, at(v.timestamp))).rejects.toMatchObject({
      code: 'NO_MATCHING_SIGNATURE',
    });
  });

  it.each(vectors.mustFail.map((v) => [v.name, v] as const))(
    'rejects must-fail vector %s',
    async (_name, v) => {
      // Its timestamp is "now": the signature is for another time, so it must not match.
      const now = Math.floor(Date.now() / 1000);
      const error = await verify(payloadOf(v), headersOf(v.msgId, now, v.signature), v.secret!).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(error.code).toBe('NO_MATCHING_SIGNATURE');
      expect(error.status).toBe(401);
    },
  );
});
