import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { OPERATIONAL_APP_ID } from '../../core/operational.js';
import type { AppInput, AppRepo } from '../store.js';
import type { Db } from './db.js';
import { postgresDialect } from '../dialect.js';
import { type AppRow, toApp } from '../rows.js';
import { listApps } from '../lists.js';

export function postgresApps(db: Db): AppRepo {
  return {
    async create(input: AppInput, id?: string) {
      const now = new Date();
      const rows = await db.query<AppRow>(
        `INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
        [
          id ?? newId('app', now.getTime()),
          input.uid,
          input.name,
          input.rateLimit,
          JSON.stringify(input.metadata),
          now,
        ],
        { what: `application with uid ${input.uid}` },
      );
      return toApp(rows[0]!);
    },
    async get(idOrUid) {
      // An id wins over a uid that happens to equal another app's id.
      const rows = await db.query<AppRow>(
        'SELECT * FROM applications WHERE id = $1 OR uid = $1 ORDER BY (id = $1) DESC LIMIT 1',
        [idOrUid],
        { name: 'app_get' },
      );
      return rows[0] ? toApp(rows[0]) : null;
    },
    list: (page) => db.page(listApps(postgresDialect, page, OPERATIONAL_APP_ID), toApp),
    async update(id, input) {
      const rows = await db.query<AppRow>(
        `UPDATE applications SET uid = $2, name = $3, rate_limit = $4, metadata = $5, updated_at = $6
         WHERE id = $1 RETURNING *`,
        [id, input.uid, input.name, input.rateLimit, JSON.stringify(input.metadata), new Date()],
        { what: `application with uid ${input.uid}` },
      );
      if (!rows[0]) throw notFound('application');
      return toApp(rows[0]);
    },
    async delete(id) {
      // Cascades to endpoints, messages, deliveries and attempts (attempts via messages).
      const rows = await db.query('DELETE FROM applications WHERE id = $1 RETURNING id', [id]);
      if (rows.length === 0) throw notFound('application');
    },
  };
}
