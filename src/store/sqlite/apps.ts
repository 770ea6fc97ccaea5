import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Application } from '../../core/model.js';
import { OPERATIONAL_APP_ID } from '../operational.js';
import type { AppInput, AppRepo } from '../store.js';
import { type Db, mapSqliteError, toDate } from './db.js';
import { keyset } from './paging.js';

interface AppRow {
  id: string;
  uid: string | null;
  name: string;
  rate_limit: number | null;
  metadata: string;
  created_at: number;
  updated_at: number;
}

const toApp = (r: AppRow): Application => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  rateLimit: r.rate_limit,
  metadata: JSON.parse(r.metadata),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function sqliteApps(db: Db): AppRepo {
  const byId = db.prepare<[string, string], AppRow>('SELECT * FROM applications WHERE id = ? OR uid = ?');
  const get = (idOrUid: string): Application | null => {
    const row = byId.get(idOrUid, idOrUid);
    return row ? toApp(row) : null;
  };
  return {
    async create(input: AppInput, given?: string) {
      const now = Date.now();
      const id = given ?? newId('app', now);
      try {
        db.prepare(
          `INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, input.uid, input.name, input.rateLimit, JSON.stringify(input.metadata), now, now);
      } catch (err) {
        mapSqliteError(err, `application with uid ${input.uid}`);
      }
      return get(id)!;
    },
    async get(idOrUid) {
      return get(idOrUid);
    },
    async list(page) {
      const k = keyset('id', 'asc', page);
      const rows = db
        .prepare<unknown[], AppRow>(
          `SELECT * FROM applications WHERE id <> ? AND ${k.where} ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(OPERATIONAL_APP_ID, ...k.params, k.limit);
      const result = k.finish(rows);
      return { items: result.items.map(toApp), done: result.done };
    },
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
        mapSqliteError(err, `application with uid ${input.uid}`);
      }
      if (changes === 0) throw notFound('application');
      return get(id)!;
    },
    async delete(id) {
      // Cascades to endpoints, messages, deliveries and attempts (ON DELETE CASCADE, attempts via messages).
      const { changes } = db.prepare('DELETE FROM applications WHERE id = ?').run(id);
      if (changes === 0) throw notFound('application');
    },
  };
}
