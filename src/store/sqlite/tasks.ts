import { sqliteDialect } from '../dialect.js';
import { listTasks } from '../lists.js';
import { type TaskRow, toTask } from '../rows.js';
import type { TaskRepo } from '../store.js';
import { type Db, readPage } from './db.js';

const COLUMNS = 'id, task, status, data, created_at, updated_at';

/** Background tasks (008_tasks_and_expunge): one row per task, its lease renewed by the process running it. */
export function sqliteTasks(db: Db): TaskRepo {
  const byId = db.prepare<[string], TaskRow>(`SELECT ${COLUMNS} FROM background_tasks WHERE id = ?`);
  return {
    async create({ id, task, leaseUntil, now }) {
      db.prepare(
        `INSERT INTO background_tasks (id, task, status, data, lease_until, created_at, updated_at)
         VALUES (?, ?, 'running', '{}', ?, ?, ?)`,
      ).run(id, task, leaseUntil.getTime(), now.getTime(), now.getTime());
      return toTask(byId.get(id)!);
    },
    async renew(ids, leaseUntil) {
      if (ids.length === 0) return;
      db.prepare(
        `UPDATE background_tasks SET lease_until = ?
         WHERE status = 'running' AND id IN (SELECT value FROM json_each(?))`,
      ).run(leaseUntil.getTime(), JSON.stringify(ids));
    },
    async settle(id, status, data) {
      db.prepare(
        `UPDATE background_tasks SET status = ?, data = ?, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running'`,
      ).run(status, JSON.stringify(data), Date.now(), id);
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toTask(row) : null;
    },
    list: async (filter, page, order) => readPage(db, listTasks(sqliteDialect, filter, page, order), toTask),
    async failAbandoned(now, data) {
      return db
        .prepare(
          `UPDATE background_tasks SET status = 'failed', data = ?, lease_until = NULL, updated_at = ?
           WHERE status = 'running' AND lease_until < ?`,
        )
        .run(JSON.stringify(data), now.getTime(), now.getTime()).changes;
    },
    async prune(cutoff) {
      return db
        .prepare(`DELETE FROM background_tasks WHERE status <> 'running' AND updated_at < ?`)
        .run(cutoff.getTime()).changes;
    },
  };
}
