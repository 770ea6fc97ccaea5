import type { OperatorSession } from '../../core/operator-session.js';
import type { OperatorSessionRepo } from '../store.js';
import type { Db } from './db.js';

interface Row {
  token_hash: string;
  created_at: number;
  expires_at: number;
}

const toSession = (r: Row): OperatorSession => ({
  tokenHash: r.token_hash,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

export function sqliteOperatorSessions(db: Db): OperatorSessionRepo {
  const createCode = db.transaction((codeHash: string, createdAt: number, expiresAt: number) => {
    db.prepare('DELETE FROM operator_sign_in_codes WHERE expires_at <= ?').run(createdAt);
    db.prepare('DELETE FROM operator_sessions WHERE expires_at <= ?').run(createdAt);
    db.prepare('INSERT INTO operator_sign_in_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
      codeHash,
      createdAt,
      expiresAt,
    );
  });
  const exchange = db.transaction((codeHash: string, s: OperatorSession): boolean => {
    const used = db
      .prepare('DELETE FROM operator_sign_in_codes WHERE code_hash = ? AND expires_at > ?')
      .run(codeHash, s.createdAt.getTime()).changes;
    if (used === 0) return false;
    db.prepare('INSERT INTO operator_sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
      s.tokenHash,
      s.createdAt.getTime(),
      s.expiresAt.getTime(),
    );
    return true;
  });
  const find = db.prepare<[string, number], Row>(
    'SELECT * FROM operator_sessions WHERE token_hash = ? AND expires_at > ?',
  );
  const expire = db.prepare(
    `UPDATE operator_sessions SET expires_at = min(expires_at, ?)
     WHERE token_hash = ? AND expires_at > ?`,
  );
  return {
    async createCode(codeHash, createdAt, expiresAt) {
      createCode.immediate(codeHash, createdAt.getTime(), expiresAt.getTime());
    },
    async exchangeCode(codeHash, session) {
      return exchange.immediate(codeHash, session);
    },
    async findSession(tokenHash, now) {
      const row = find.get(tokenHash, now.getTime());
      return row ? toSession(row) : null;
    },
    async expireSession(tokenHash, at) {
      return expire.run(at.getTime(), tokenHash, Date.now()).changes > 0;
    },
  };
}
