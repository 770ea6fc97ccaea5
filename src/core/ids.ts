import { randomBytes } from 'node:crypto';

/**
 * Time-sortable ids in the Svix style (`msg_...`): 6 bytes of milliseconds then
 * 10 random bytes, base62 at a fixed width. Fixed width over an ASCII-ordered
 * alphabet means string order equals creation order, so ids double as cursors.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WIDTH = 22; // ceil(128 / log2(62))

export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'dlv' | 'qtask' | 'op';

function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(WIDTH, '0');
}

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  return `${prefix}_${base62(bytes)}`;
}

/** The smallest id of a prefix created at or after `ms`; for time-range queries over ids. */
export function idFloor(prefix: IdPrefix, ms: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, ms), 0, 6);
  return `${prefix}_${base62(bytes)}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && id.length === prefix.length + 1 + WIDTH;
}
