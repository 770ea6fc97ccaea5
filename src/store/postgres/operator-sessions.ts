import type { OperatorSession } from '../../core/operator-session.js';
import type { OperatorSessionRepo } from '../store.js';
import type { Db } from './db.js';

interface Row {
  token_hash: string;
  created_at: Date;
  expires_at: Date;
}

const toSession = (r: Row): OperatorSession => ({
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Expiry compares with the caller's clock (the API process's), as on SQLite, so both answer alike. */
export function postgresOperatorSessions(db: Db): OperatorSessionRepo {
  return {
    async createCode(codeHash, createdAt, expiresAt) {
      await db.query(
        `WITH old_codes AS (DELETE FROM operator_sign_in_codes WHERE expires_at <= $2),
              old_sessions AS (DELETE FROM operator_sessions WHERE expires_at <= $2)
         INSERT INTO operator_sign_in_codes (code_hash, created_at, expires_at) VALUES ($1, $2, $3)`,
        [codeHash, createdAt, expiresAt],
      );
    },
    async exchangeCode(codeHash, s) {
      // One statement: the DELETE takes the code's row lock, so a second exchange finds nothing to delete.
      const rows = await db.query(
        `WITH used AS (
           DELETE FROM operator_sign_in_codes WHERE code_hash = $1 AND expires_at > $3 RETURNING 1
         )
         INSERT INTO operator_sessions (token_hash, created_at, expires_at)
         SELECT $2, $3, $4 FROM used
         RETURNING 1`,
        [codeHash, s.tokenHash, s.createdAt, s.expiresAt],
      );
      return rows.length > 0;
    },
    async findSession(tokenHash, now) {
      const rows = await db.query<Row>(
        'SELECT * FROM operator_sessions WHERE token_hash = $1 AND expires_at > $2',
        [tokenHash, now],
      );
      return rows[0] ? toSession(rows[0]) : null;
    },
    async expireSession(tokenHash, at) {
      const rows = await db.query(
        `UPDATE operator_sessions SET expires_at = least(expires_at, $2)
         WHERE token_hash = $1 AND expires_at > $3 RETURNING 1`,
        [tokenHash, at, new Date()],
      );
      return rows.length > 0;
    },
  };
}
