import type { Store } from '../store.js';
import { sqliteApps } from './apps.js';
import { sqliteAttempts } from './attempts.js';
import { migrate, openDatabase } from './db.js';
import { sqliteEndpoints } from './endpoints.js';
import { sqliteEventTypes } from './event-types.js';
import { sqliteIdempotency, sqliteSettings } from './idempotency.js';
import { sqliteMessages } from './messages.js';
import { sqliteQueue } from './queue.js';

/**
 * The embedded store: one better-sqlite3 connection (synchronous, so every
 * transaction is naturally serialised within the process). Migrations run
 * before the repos prepare their statements.
 */
export function createSqliteStore(path: string): Store {
  const db = openDatabase(path);
  migrate(db);
  return {
    kind: 'sqlite',
    async migrate() {
      migrate(db);
    },
    async close() {
      if (db.open) db.close();
    },
    apps: sqliteApps(db),
    eventTypes: sqliteEventTypes(db),
    endpoints: sqliteEndpoints(db),
    messages: sqliteMessages(db),
    queue: sqliteQueue(db),
    attempts: sqliteAttempts(db),
    idempotency: sqliteIdempotency(db),
    settings: sqliteSettings(db),
  };
}
