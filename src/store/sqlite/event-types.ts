import { notFound } from '../../core/errors.js';
import { sqliteDialect } from '../dialect.js';
import { type EventTypeRow, eventTypeColumns, toEventType } from '../rows.js';
import type { EventTypeRepo } from '../store.js';
import { type Db, mapSqliteError, readPage } from './db.js';
import { listEventTypes } from '../lists.js';

export function sqliteEventTypes(db: Db): EventTypeRepo {
  const byName = db.prepare<[string], EventTypeRow>('SELECT * FROM event_types WHERE name = ?');
  const get = (name: string) => {
    const row = byName.get(name);
    return row ? toEventType(row) : null;
  };
  return {
    async create(input) {
      const now = Date.now();
      try {
        db.prepare(
          `INSERT INTO event_types (name, description, archived, deprecated, schemas, feature_flag, group_name,
             validate_schema, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(input.name, ...eventTypeColumns(sqliteDialect, input), now, now);
      } catch (err) {
        mapSqliteError(err, `event type ${input.name}`);
      }
      return get(input.name)!;
    },
    get: async (name) => get(name),
    list: async (page, { includeArchived }) =>
      readPage(db, listEventTypes(sqliteDialect, page, includeArchived), toEventType),
    async update(name, input) {
      const { changes } = db
        .prepare(
          `UPDATE event_types SET description = ?, archived = ?, deprecated = ?, schemas = ?, feature_flag = ?,
             group_name = ?, validate_schema = ?, updated_at = ? WHERE name = ?`,
        )
        .run(...eventTypeColumns(sqliteDialect, input), Date.now(), name);
      if (changes === 0) throw notFound('event type');
      return get(name)!;
    },
    async delete(name, { expunge }) {
      const { changes } = expunge
        ? db.prepare('DELETE FROM event_types WHERE name = ?').run(name)
        : db
            .prepare('UPDATE event_types SET archived = 1, updated_at = ? WHERE name = ?')
            .run(Date.now(), name);
      if (changes === 0) throw notFound('event type');
    },
  };
}
