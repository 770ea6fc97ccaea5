import { postgresDialect } from '../dialect.js';
import { listTasks } from '../lists.js';
import { type TaskRow, toTask } from '../rows.js';
import type { TaskRepo } from '../store.js';
import type { Db } from './db.js';

const COLUMNS = 'id, task, status, data, created_at, updated_at';

/** Background tasks (008_tasks_and_expunge): one row per task, its lease renewed by the process running it. */
export function postgresTasks(db: Db): TaskRepo {
  return {
    async create({ id, task, leaseUntil, now }) {
      const rows = await db.query<TaskRow>(
        `INSERT INTO background_tasks (id, task, status, data, lease_until, created_at, updated_at)
         VALUES ($1, $2, 'running', '{}', $3, $4, $4) RETURNING ${COLUMNS}`,
        [id, task, leaseUntil, now],
      );
      return toTask(rows[0]!);
    },
    async renew(ids, leaseUntil) {
      if (ids.length === 0) return;
      await db.query(
        `UPDATE background_tasks SET lease_until = $2 WHERE status = 'running' AND id = ANY ($1::text[])`,
        [ids, leaseUntil],
      );
    },
    async settle(id, status, data) {
      await db.query(
        `UPDATE background_tasks SET status = $2, data = $3, lease_until = NULL, updated_at = $4
         WHERE id = $1 AND status = 'running'`,
        [id, status, JSON.stringify(data), new Date()],
      );
    },
    async get(id) {
      const rows = await db.query<TaskRow>(`SELECT ${COLUMNS} FROM background_tasks WHERE id = $1`, [id]);
      return rows[0] ? toTask(rows[0]) : null;
    },
    list: (filter, page, order) => db.page(listTasks(postgresDialect, filter, page, order), toTask),
    async failAbandoned(now, data) {
      const rows = await db.query<{ n: number }>(
        `WITH f AS (
           UPDATE background_tasks SET status = 'failed', data = $1, lease_until = NULL, updated_at = $2
           WHERE status = 'running' AND lease_until < $2 RETURNING 1)
         SELECT count(*)::int AS n FROM f`,
        [JSON.stringify(data), now],
      );
      return rows[0]?.n ?? 0;
    },
    async prune(cutoff) {
      const rows = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM background_tasks WHERE status <> 'running' AND updated_at < $1 RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
        [cutoff],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
