import { HooklineError } from '../../core/errors.js';
import type { FieldCipher } from '../rows.js';
import type { Store } from '../store.js';
import { sqliteApps } from './apps.js';
import { sqliteAttempts } from './attempts.js';
import { startCheckpointer } from './checkpointer.js';
import { sqliteContent } from './content.js';
import { mapSqliteError, migrate, openDatabase } from './db.js';
import { sqliteEndpoints } from './endpoints.js';
import { sqliteEventTypes } from './event-types.js';
import { sqliteGauges } from './gauges.js';
import { sqliteIdempotency, sqliteSettings } from './idempotency.js';
import { sqliteOperatorSessions } from './operator-sessions.js';
import { sqlitePortalTokens } from './portal-tokens.js';
import { sqliteHandOff } from './hand-off.js';
import { sqliteMessages } from './messages.js';
import { sqliteQueue } from './queue.js';
import { sqliteTasks } from './tasks.js';

/**
 * Every repo method reports driver failures with stable codes: a busy or
 * unwritable database is STORE_UNAVAILABLE (the API's 503, not a 500), a
 * vanished parent record NOT_FOUND. Methods that map their own errors keep them.
 */
function withErrorCodes<T extends object>(repo: T): T {
  const mapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repo)) {
    if (typeof member !== 'function') {
      mapped[name] = member;
      continue;
    }
    mapped[name] = async (...args: unknown[]) => {
      try {
        return await member.apply(repo, args);
      } catch (err) {
        if (err instanceof HooklineError) throw err;
        return mapSqliteError(err);
      }
    };
  }
  return mapped as T;
}

/**
 * The embedded store: one better-sqlite3 connection (synchronous, so every
 * transaction is naturally serialised within the process). Migrations run
 * before the repos prepare their statements. `cipher` seals endpoint secrets
 * and header values (rows.ts); null keeps them in clear text. A file's WAL is
 * checkpointed by a thread of its own (checkpointer.ts).
 */
export function createSqliteStore(path: string, cipher: FieldCipher = null): Store {
  const db = openDatabase(path);
  migrate(db);
  const checkpointer = db.memory ? null : startCheckpointer(db);
  const content = sqliteContent(db);
  const handOff = sqliteHandOff(db, cipher);
  return {
    async migrate() {
      migrate(db);
    },
    async close() {
      await checkpointer?.stop();
      if (db.open) db.close();
    },
    handOffTo: handOff.set,
    gauges: withErrorCodes({ read: sqliteGauges(db) }).read,
    apps: withErrorCodes(sqliteApps(db)),
    eventTypes: withErrorCodes(sqliteEventTypes(db)),
    endpoints: withErrorCodes(sqliteEndpoints(db, cipher)),
    messages: withErrorCodes({ ...sqliteMessages(db, cipher, handOff), ...content.messages }),
    queue: withErrorCodes({ ...sqliteQueue(db, cipher), ...content.queue }),
    attempts: withErrorCodes({ ...sqliteAttempts(db), ...content.attempts }),
    idempotency: withErrorCodes(sqliteIdempotency(db)),
    settings: withErrorCodes(sqliteSettings(db)),
    portalTokens: withErrorCodes(sqlitePortalTokens(db)),
    operatorSessions: withErrorCodes(sqliteOperatorSessions(db)),
    tasks: withErrorCodes(sqliteTasks(db)),
  };
}
