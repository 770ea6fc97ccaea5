import { notFound } from '../../core/errors.js';
import type { EventType } from '../../core/model.js';
import type { EventTypeInput, EventTypeRepo } from '../store.js';
import { type Db, json, mapSqliteError, parseJson, toDate } from './db.js';
import { keyset } from './paging.js';

interface EventTypeRow {
  name: string;
  description: string;
  archived: number;
  deprecated: number;
  schemas: string | null;
  feature_flag: string | null;
  group_name: string | null;
  created_at: number;
  updated_at: number;
}

const toEventType = (r: EventTypeRow): EventType => ({
  name: r.name,
  description: r.description,
  archived: r.archived === 1,
  deprecated: r.deprecated === 1,
  schemas: parseJson(r.schemas),
  featureFlag: r.feature_flag,
  groupName: r.group_name,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const columns = (i: EventTypeInput) =>
  [
    i.description,
    i.archived ? 1 : 0,
    i.deprecated ? 1 : 0,
    json(i.schemas),
    i.featureFlag,
    i.groupName,
  ] as const;

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
          `INSERT INTO event_types (name, description, archived, deprecated, schemas, feature_flag, group_name, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(input.name, ...columns(input), now, now);
      } catch (err) {
        mapSqliteError(err, `event type ${input.name}`);
      }
      return get(input.name)!;
    },
    async get(name) {
      return get(name);
    },
    async list(page, { includeArchived }) {
      const k = keyset('name', 'asc', page);
      const archived = includeArchived ? '' : 'AND archived = 0';
      const rows = db
        .prepare<unknown[], EventTypeRow>(
          `SELECT * FROM event_types WHERE ${k.where} ${archived} ORDER BY ${k.orderBy} LIMIT ?`,
        )
        .all(...k.params, k.limit);
      const result = k.finish(rows);
      return { items: result.items.map(toEventType), done: result.done };
    },
    async update(name, input) {
      const { changes } = db
        .prepare(
          `UPDATE event_types SET description = ?, archived = ?, deprecated = ?, schemas = ?, feature_flag = ?,
             group_name = ?, updated_at = ? WHERE name = ?`,
        )
        .run(...columns(input), Date.now(), name);
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
