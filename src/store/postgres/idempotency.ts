import { randomUUID } from 'node:crypto';
import {
  type IdempotencyBegin,
  IDEMPOTENCY_LOCK_TIMEOUT_MS,
  type IdempotencyRepo,
  type SettingsRepo,
} from '../store.js';
import { type KeyRow, toKeyState } from '../rows.js';
import type { Db } from './db.js';

/**
 * Claims a key with one upsert: a new key is inserted, an expired one or an
 * abandoned one (unfinished, claimed more than $5 ms ago: its request crashed
 * before complete/release) is taken over, a live one is left alone (no row
 * returned), and then read. The claim records its owner token ($6). Claim
 * age uses the database clock, so API processes with skewed clocks agree on it.
 */
const CLAIM_KEY = `
INSERT INTO idempotency_keys AS k (key, request_hash, expires_at, locked_at, owner)
VALUES ($1, $2, $3, now(), $6)
ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status_code = NULL, body = NULL,
  expires_at = EXCLUDED.expires_at, locked_at = EXCLUDED.locked_at, owner = EXCLUDED.owner
  WHERE k.expires_at <= $4
     OR (k.status_code IS NULL AND k.locked_at < now() - $5::double precision * interval '1 millisecond')
RETURNING 1`;

export function postgresIdempotency(db: Db): IdempotencyRepo {
  return {
    async begin(
      key,
      requestHash,
      expiresAt,
      lockTimeoutMs = IDEMPOTENCY_LOCK_TIMEOUT_MS,
    ): Promise<IdempotencyBegin> {
      // Two tries: a key released between our upsert and our read is free again.
      for (let i = 0; i < 2; i++) {
        const token = randomUUID();
        const claimed = await db.query(CLAIM_KEY, [
          key,
          requestHash,
          expiresAt,
          new Date(),
          lockTimeoutMs,
          token,
        ]);
        if (claimed.length === 1) return { state: 'new', token };
        const rows = await db.query<KeyRow>(
          'SELECT request_hash, status_code, body FROM idempotency_keys WHERE key = $1',
          [key],
        );
        if (rows[0]) return toKeyState(rows[0]);
      }
      return { state: 'in_progress' };
    },
    // Both match the owner: a claim taken over since belongs to another request.
    // A NULL owner (a row from before the owner column) matches no token.
    async complete(key, token, statusCode, body) {
      await db.query(
        'UPDATE idempotency_keys SET status_code = $3, body = $4 WHERE key = $1 AND owner = $2',
        [key, token, statusCode, body],
      );
    },
    async release(key, token) {
      await db.query('DELETE FROM idempotency_keys WHERE key = $1 AND owner = $2 AND status_code IS NULL', [
        key,
        token,
      ]);
    },
  };
}

export function postgresSettings(db: Db): SettingsRepo {
  const get = async (name: string) =>
    (await db.query<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]))[0]?.value ??
    null;
  return {
    get,
    async getOrSet(name, value) {
      const inserted = await db.query<{ value: string }>(
        'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value',
        [name, value],
      );
      // Not inserted: someone stored it first (committed, or we would have waited on it).
      return inserted[0]?.value ?? (await get(name)) ?? value;
    },
    async replace(name, expected, value) {
      const rows = await db.query(
        'UPDATE settings SET value = $3 WHERE name = $1 AND value = $2 RETURNING 1',
        [name, expected, value],
      );
      return rows.length > 0;
    },
  };
}
