import { notFound } from '../../core/errors.js';
import type { EventTypeRepo } from '../store.js';
import type { Db } from './db.js';
import { postgresDialect } from '../dialect.js';
import { type EventTypeRow, eventTypeColumns, toEventType } from '../rows.js';
import { listEventTypes } from '../lists.js';

export function postgresEventTypes(db: Db): EventTypeRepo {
  return {
    async create(input) {
      const rows = await db.query<EventTypeRow>(
        `INSERT INTO event_types (name, description, archived, deprecated, schemas, feature_flag, group_name,
           validate_schema, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
        [input.name, ...eventTypeColumns(postgresDialect, input), new Date()],
        { what: `event type ${input.name}` },
      );
      return toEventType(rows[0]!);
    },
    async get(name) {
      const rows = await db.query<EventTypeRow>('SELECT * FROM event_types WHERE name = $1', [name]);
      return rows[0] ? toEventType(rows[0]) : null;
    },
    list: (page, { includeArchived }) =>
      db.page(listEventTypes(postgresDialect, page, includeArchived), toEventType),
    async update(name, input) {
      const rows = await db.query<EventTypeRow>(
        `UPDATE event_types SET description = $2, archived = $3, deprecated = $4, schemas = $5, feature_flag = $6,
           group_name = $7, validate_schema = $8, updated_at = $9
         WHERE name = $1 RETURNING *`,
        [name, ...eventTypeColumns(postgresDialect, input), new Date()],
      );
      if (!rows[0]) throw notFound('event type');
      return toEventType(rows[0]);
    },
    async delete(name, { expunge }) {
      const rows = expunge
        ? await db.query('DELETE FROM event_types WHERE name = $1 RETURNING name', [name])
        : await db.query(
            'UPDATE event_types SET archived = true, updated_at = $2 WHERE name = $1 RETURNING name',
            [name, new Date()],
          );
      if (rows.length === 0) throw notFound('event type');
    },
  };
}
