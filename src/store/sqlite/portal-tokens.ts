import type { PortalCapability, PortalTheme, PortalToken } from '../../core/portal-token.js';
import type { PortalTokenRepo } from '../store.js';
import type { Db } from './db.js';

interface Row {
  token_hash: string;
  app_id: string;
  capabilities: string;
  feature_flags: string;
  session_id: string | null;
  theme: string | null;
  created_at: number;
  expires_at: number;
}

const toToken = (r: Row): PortalToken => ({
  tokenHash: r.token_hash,
  appId: r.app_id,
  capabilities: JSON.parse(r.capabilities) as PortalCapability[],
  featureFlags: JSON.parse(r.feature_flags) as string[],
  sessionId: r.session_id,
  theme: r.theme === null ? null : (JSON.parse(r.theme) as PortalTheme),
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

export function sqlitePortalTokens(db: Db): PortalTokenRepo {
  const create = db.transaction((t: PortalToken) => {
    db.prepare('DELETE FROM app_portal_tokens WHERE app_id = ? AND expires_at <= ?').run(
      t.appId,
      t.createdAt.getTime(),
    );
    db.prepare(
      `INSERT INTO app_portal_tokens
         (token_hash, app_id, capabilities, feature_flags, session_id, theme, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      t.tokenHash,
      t.appId,
      JSON.stringify(t.capabilities),
      JSON.stringify(t.featureFlags),
      t.sessionId,
      t.theme === null ? null : JSON.stringify(t.theme),
      t.createdAt.getTime(),
      t.expiresAt.getTime(),
    );
  });
  const find = db.prepare<[string, number], Row>(
    'SELECT * FROM app_portal_tokens WHERE token_hash = ? AND expires_at > ?',
  );
  return {
    async create(token) {
      create.immediate(token);
    },
    async find(tokenHash, now) {
      const row = find.get(tokenHash, now.getTime());
      return row ? toToken(row) : null;
    },
    async expire(tokenHash, at) {
      const now = Date.now();
      return (
        db
          .prepare(
            `UPDATE app_portal_tokens SET expires_at = min(expires_at, ?)
             WHERE token_hash = ? AND expires_at > ?`,
          )
          .run(at.getTime(), tokenHash, now).changes > 0
      );
    },
    async expireAll(appId, at, sessionIds) {
      const all = sessionIds === null;
      return db
        .prepare(
          `UPDATE app_portal_tokens SET expires_at = ?
           WHERE app_id = ? AND expires_at > ?
             AND (? OR session_id IN (SELECT value FROM json_each(?)))`,
        )
        .run(at.getTime(), appId, at.getTime(), all ? 1 : 0, JSON.stringify(sessionIds ?? [])).changes;
    },
  };
}
