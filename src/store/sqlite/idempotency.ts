import { randomUUID } from 'node:crypto';
import {
  type IdempotencyBegin,
  IDEMPOTENCY_LOCK_TIMEOUT_MS,
  type IdempotencyRepo,
  type SettingsRepo,
} from '../store.js';
import { type KeyRow, toKeyState } from '../rows.js';
import type { Db } from './db.js';

export function sqliteIdempotency(db: Db): IdempotencyRepo {
  const begin = db.transaction(
    (
      key: string,
      hash: string,
      expiresAt: number,
      lockTimeoutMs: number,
      token: string,
    ): IdempotencyBegin => {
      const now = Date.now();
      // An expired key, or an unfinished claim older than the lock timeout (its
      // request crashed before complete/release), is free: drop it and claim anew.
      db.prepare(
        `DELETE FROM idempotency_keys
         WHERE key = ? AND (expires_at <= ? OR (status_code IS NULL AND locked_at < ?))`,
      ).run(key, now, now - lockTimeoutMs);
      const inserted = db
        .prepare(
          'INSERT OR IGNORE INTO idempotency_keys (key, request_hash, expires_at, locked_at, owner) VALUES (?, ?, ?, ?, ?)',
        )
        .run(key, hash, expiresAt, now, token).changes;
      if (inserted === 1) return { state: 'new', token };
      return toKeyState(
        db
          .prepare<[string], KeyRow>(
            'SELECT request_hash, status_code, body FROM idempotency_keys WHERE key = ?',
          )
          .get(key)!,
      );
    },
  );
  return {
    async begin(key, requestHash, expiresAt, lockTimeoutMs = IDEMPOTENCY_LOCK_TIMEOUT_MS) {
      return begin.immediate(key, requestHash, expiresAt.getTime(), lockTimeoutMs, randomUUID());
    },
    // Both match the owner: a claim taken over since belongs to another request.
    // A NULL owner (a row from before the owner column) matches no token.
    async complete(key, token, statusCode, body) {
      db.prepare('UPDATE idempotency_keys SET status_code = ?, body = ? WHERE key = ? AND owner = ?').run(
        statusCode,
        body,
        key,
        token,
      );
    },
    async release(key, token) {
      db.prepare('DELETE FROM idempotency_keys WHERE key = ? AND owner = ? AND status_code IS NULL').run(
        key,
        token,
      );
    },
  };
}

export function sqliteSettings(db: Db): SettingsRepo {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?');
  return {
    async get(name) {
      return get.get(name)?.value ?? null;
    },
    async getOrSet(name, value) {
      db.prepare('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)').run(name, value);
      return get.get(name)!.value;
    },
    async replace(name, expected, value) {
      return (
        db.prepare('UPDATE settings SET value = ? WHERE name = ? AND value = ?').run(value, name, expected)
          .changes > 0
      );
    },
  };
}
