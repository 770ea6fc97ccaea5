import type { PortalCapability, PortalTheme, PortalToken } from '../../core/portal-token.js';
import type { PortalTokenRepo } from '../store.js';
import type { Db } from './db.js';

interface Row {
  token_hash: string;
  app_id: string;
  capabilities: PortalCapability[];
  feature_flags: string[];
  session_id: string | null;
  theme: PortalTheme | null;
  created_at: Date;
  expires_at: Date;
}

const toToken = (r: Row): PortalToken => ({
  tokenHash: r.token_hash,
  appId: r.app_id,
  capabilities: r.capabilities,
  featureFlags: r.feature_flags,
  sessionId: r.session_id,
  theme: r.theme,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Expiry compares with the caller's clock (the API process's), as on SQLite, so both answer alike. */
export function postgresPortalTokens(db: Db): PortalTokenRepo {
  return {
    async create(t) {
      await db.query(
        `WITH dropped AS (DELETE FROM app_portal_tokens WHERE app_id = $2 AND expires_at <= $7)
         INSERT INTO app_portal_tokens
           (token_hash, app_id, capabilities, feature_flags, session_id, theme, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          t.tokenHash,
          t.appId,
          JSON.stringify(t.capabilities),
          JSON.stringify(t.featureFlags),
          t.sessionId,
          t.theme === null ? null : JSON.stringify(t.theme),
          t.createdAt,
          t.expiresAt,
        ],
        { what: 'application' },
      );
    },
    async find(tokenHash, now) {
      const rows = await db.query<Row>(
        'SELECT * FROM app_portal_tokens WHERE token_hash = $1 AND expires_at > $2',
        [tokenHash, now],
      );
      return rows[0] ? toToken(rows[0]) : null;
    },
    async expire(tokenHash, at) {
      const rows = await db.query(
        `UPDATE app_portal_tokens SET expires_at = least(expires_at, $2)
         WHERE token_hash = $1 AND expires_at > $3 RETURNING 1`,
        [tokenHash, at, new Date()],
      );
      return rows.length > 0;
    },
    async expireAll(appId, at, sessionIds) {
      const rows = await db.query(
        `UPDATE app_portal_tokens SET expires_at = $2
         WHERE app_id = $1 AND expires_at > $2 AND ($3::text[] IS NULL OR session_id = ANY($3::text[]))
         RETURNING 1`,
        [appId, at, sessionIds],
      );
      return rows.length;
    },
  };
}
