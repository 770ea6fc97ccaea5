import { randomFillSync } from 'node:crypto';

/**
 * Time-sortable ids in the Svix style (`msg_...`): 48 bits of milliseconds,
 * then 80 random bits, in base62 at fixed widths (9 + 7 + 7 characters).
 * Fixed width over an ASCII-ordered alphabet means string order equals
 * creation order, so ids double as keyset cursors. Plain number arithmetic
 * (two 40-bit halves) keeps this off the profile of the accept path.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_WIDTH = 9; // 62^9 > 2^48
const HALF_WIDTH = 7; // 62^7 > 2^40
const HALF = 2 ** 40;

export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'dlv' | 'qtask' | 'op';

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

// Randomness drawn in blocks: one syscall-backed fill per 512 ids.
const pool = Buffer.alloc(10 * 512);
let poolOffset = pool.length;
function random40(): number {
  if (poolOffset + 5 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const n = pool.readUIntBE(poolOffset, 5);
  poolOffset += 5;
  return n;
}

// Monotonic within a process (as ULID does): an id made in the same millisecond
// as the previous one increments the random part, so creation order survives.
let lastMs = 0;
let hi = 0;
let lo = 0;

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    lo++;
    if (lo === HALF) {
      lo = 0;
      hi++;
      if (hi === HALF) {
        // 2^80 ids in one millisecond cannot happen; borrow the next millisecond anyway.
        hi = 0;
        lastMs++;
      }
    }
  } else {
    lastMs = nowMs;
    hi = Math.floor(random40() / 2); // headroom so increments never need to borrow
    lo = random40();
  }
  return `${prefix}_${base62(lastMs, TIME_WIDTH)}${base62(hi, HALF_WIDTH)}${base62(lo, HALF_WIDTH)}`;
}

/**
 * Ids that SQL numbers, for a statement that makes an unknown number of them
 * (a message's deliveries, one per endpoint its routing accepts): the n-th
 * (from 1) is `head` + the last part in base62 of `base` + n, written by
 * `idRunSql`. One random draw per run instead of a function call per id;
 * `base` leaves room for 2^32 ids.
 */
export function idRun(prefix: IdPrefix, nowMs: number): { head: string; base: number } {
  const head = `${prefix}_${base62(nowMs, TIME_WIDTH)}${base62(Math.floor(random40() / 2), HALF_WIDTH)}`;
  return { head, base: random40() % (HALF - 2 ** 32) };
}

/** SQL for id number `n` of the run `head`, `base` (idRun): plain arithmetic, no function call, in either database. */
export function idRunSql(head: string, base: string, n: string): string {
  const digits = Array.from(
    { length: HALF_WIDTH },
    (_, k) =>
      `substr('${ALPHABET}', CAST((${base} + ${n}) / ${62 ** (HALF_WIDTH - 1 - k)} % 62 AS integer) + 1, 1)`,
  );
  return [head, ...digits].join(' || ');
}

/** The smallest id of a prefix created at or after `ms`; for time-range queries over ids. */
export function idFloor(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${base62(Math.max(0, ms), TIME_WIDTH)}${'0'.repeat(2 * HALF_WIDTH)}`;
}

/** The creation time (epoch ms) an id begins with; the inverse of idFloor's time part. */
export function idTime(id: string): number {
  const start = id.indexOf('_') + 1;
  let ms = 0;
  for (const c of id.slice(start, start + TIME_WIDTH)) ms = ms * 62 + ALPHABET.indexOf(c);
  return ms;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && id.length === prefix.length + 1 + TIME_WIDTH + 2 * HALF_WIDTH;
}
