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

// Monotonic within a process (as ULID does): an id made in the same millisecond
// as the previous one increments its random part, so creation order survives.
let lastMs = 0;
let lastRandom = 0n;
const RANDOM_MAX = (1n << 80n) - 1n;

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  if (nowMs <= lastMs && lastRandom < RANDOM_MAX) {
    lastRandom += 1n;
  } else {
    lastMs = Math.max(nowMs, lastMs);
    lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n; // headroom for increments
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes.write(lastRandom.toString(16).padStart(20, '0'), 6, 'hex');
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
