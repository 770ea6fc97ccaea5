import { readFileSync } from 'node:fs';

export interface Vector {
  name: string;
  secret?: string;
  secretKey?: string;
  publicKey?: string;
  msgId: string;
  timestamp?: number | string;
  payload?: string;
  payloadRepeat?: { char: string; count: number };
  signature: string;
}

/**
 * The public Standard Webhooks test vectors (a copy of shared/standard-webhooks-vectors.json,
 * kept in the repository so the suite runs from any checkout).
 */
export const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/standard-webhooks-vectors.json', import.meta.url), 'utf8'),
) as { hmac: Vector[]; ed25519: Vector[]; mustFail: Vector[] };

/** Large vectors give their payload as a character repeated `count` times. */
export const payloadOf = (v: Vector): string =>
  v.payload ?? v.payloadRepeat!.char.repeat(v.payloadRepeat!.count);
