import { sqliteDialect } from '../dialect.js';
import { followAttempts, listAttempts } from '../lists.js';
import { OPERATIONAL_APP_ID } from '../../core/operational.js';
import { type AttemptRow, toAttempt, toFollowedAttempt } from '../rows.js';
import type { AttemptRepo } from '../store.js';
import { type Db, readPage } from './db.js';

export function sqliteAttempts(db: Db): Omit<AttemptRepo, 'expungeContent'> {
  const byId = db.prepare<[string, string, string], AttemptRow>(
    'SELECT * FROM attempts WHERE app_id = ? AND msg_id = ? AND id = ?',
  );
  return {
    async get(appId, msgId, attemptId) {
      const row = byId.get(appId, msgId, attemptId);
      return row ? toAttempt(row) : null;
    },
    listByMessage: async (appId, msgId, filter, page) =>
      readPage(db, listAttempts(sqliteDialect, 'msg_id', appId, msgId, filter, page), toFollowedAttempt),
    listByEndpoint: async (appId, endpointId, filter, page) =>
      readPage(
        db,
        listAttempts(sqliteDialect, 'endpoint_id', appId, endpointId, filter, page),
        toFollowedAttempt,
      ),
    follow: async (appId, filter, page) =>
      readPage(
        db,
        followAttempts(
          sqliteDialect,
          appId === null ? { hiddenAppId: OPERATIONAL_APP_ID } : { appId },
          filter,
          page,
        ),
        toFollowedAttempt,
      ),
  };
}
