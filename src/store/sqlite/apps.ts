import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { OPERATIONAL_APP_ID } from '../../core/operational.js';
import { sqliteDialect } from '../dialect.js';
import { type AppRow, toApp } from '../rows.js';
import type { AppInput, AppRepo } from '../store.js';
import { type Db, mapSqliteError, readPage } from './db.js';
import { listApps } from '../lists.js';

const uidTaken = (input: AppInput) => `application with uid ${input.uid}`;

export function sqliteApps(db: Db): AppRepo {
  const byIdOrUid = db.prepare<[string, string, string], AppRow>(
    'SELECT * FROM applications WHERE id = ? OR uid = ? ORDER BY (id = ?) DESC LIMIT 1',
  );
  const get = (idOrUid: string) => {
    // An id wins over a uid that happens to equal another app's id.
    const row = byIdOrUid.get(idOrUid, idOrUid, idOrUid);
    return row ? toApp(row) : null;
  };
  return {
    async create(input, given) {
      const now = Date.now();
      const id = given ?? newId('app', now);
      try {
        db.prepare(
          `INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, input.uid, input.name, input.rateLimit, JSON.stringify(input.metadata), now, now);
      } catch (err) {
        mapSqliteError(err, uidTaken(input));
      }
      return get(id)!;
    },
    get: async (idOrUid) => get(idOrUid),
    list: async (page) => readPage(db, listApps(sqliteDialect, page, OPERATIONAL_APP_ID), toApp),
    async update(id, input) {
      let changes = 0;
      try {
        changes = db
          .prepare(
            'UPDATE applications SET uid = ?, name = ?, rate_limit = ?, metadata = ?, updated_at = ? WHERE id = ?',
          )
          .run(
            input.uid,
            input.name,
            input.rateLimit,
            JSON.stringify(input.metadata),
            Date.now(),
            id,
          ).changes;
      } catch (err) {
        mapSqliteError(err, uidTaken(input));
      }
      if (changes === 0) throw notFound('application');
      return get(id)!;
    },
    async delete(id) {
      // Cascades to endpoints, messages, deliveries and attempts (attempts via messages).
      const { changes } = db.prepare('DELETE FROM applications WHERE id = ?').run(id);
      if (changes === 0) throw notFound('application');
    },
  };
}
