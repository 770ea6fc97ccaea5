import { type AttemptCountRow, countAttemptsStatement, toAttemptCount } from '../attempt-counts.js';
import { postgresDialect } from '../dialect.js';
import { followAttempts, listAttempts } from '../lists.js';
import { OPERATIONAL_APP_ID } from '../../core/operational.js';
import { type AttemptRow, toAttempt, toFollowedAttempt } from '../rows.js';
import type { AttemptRepo } from '../store.js';
import type { Db } from './db.js';

export function postgresAttempts(db: Db): Omit<AttemptRepo, 'expungeContent'> {
  return {
    async countByTime(scope) {
      const q = countAttemptsStatement(
        postgresDialect,
        (size) =>
          `(floor(extract(epoch FROM created_at) * 1000 / ${size()}::bigint)::bigint * ${size()}::bigint)`,
        scope,
      );
      return (await db.query<AttemptCountRow>(q.text, q.values)).map(toAttemptCount);
    },
    async get(appId, msgId, attemptId) {
      const rows = await db.query<AttemptRow>(
        'SELECT * FROM attempts WHERE app_id = $1 AND msg_id = $2 AND id = $3',
        [appId, msgId, attemptId],
      );
      return rows[0] ? toAttempt(rows[0]) : null;
    },
    listByMessage: (appId, msgId, filter, page) =>
      db.page(listAttempts(postgresDialect, 'msg_id', appId, msgId, filter, page), toFollowedAttempt),
    listByEndpoint: (appId, endpointId, filter, page) =>
      db.page(
        listAttempts(postgresDialect, 'endpoint_id', appId, endpointId, filter, page),
        toFollowedAttempt,
      ),
    follow: (appId, filter, page) =>
      db.page(
        followAttempts(
          postgresDialect,
          appId === null ? { hiddenAppId: OPERATIONAL_APP_ID } : { appId },
          filter,
          page,
        ),
        toFollowedAttempt,
      ),
  };
}
