import { type AttemptCountRow, countAttemptsStatement, toAttemptCount } from '../attempt-counts.js';
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
    async countByTime(scope) {
      // created_at is epoch ms; % works on integers (a bound JS number is a REAL, so / would not floor).
      const q = countAttemptsStatement(sqliteDialect, (size) => `created_at - created_at % ${size()}`, scope);
      return db
        .prepare<unknown[], AttemptCountRow>(q.text)
        .all(...q.values)
        .map(toAttemptCount);
    },
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
