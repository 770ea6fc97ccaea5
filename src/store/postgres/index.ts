import type { FieldCipher } from '../rows.js';
import type { Store } from '../store.js';
import { postgresApps } from './apps.js';
import { postgresAttempts } from './attempts.js';
import { postgresContent } from './content.js';
import { clientConfigFor, createDb, type PostgresOptions } from './db.js';
import { postgresEndpoints } from './endpoints.js';
import { postgresEventTypes } from './event-types.js';
import { postgresGauges } from './gauges.js';
import { postgresIdempotency, postgresSettings } from './idempotency.js';
import { postgresOperatorSessions } from './operator-sessions.js';
import { postgresPortalTokens } from './portal-tokens.js';
import { postgresMessages } from './messages.js';
import { migrate } from './migrate.js';
import { createDueNotifier } from './notify.js';
import { postgresQueue } from './queue.js';
import { postgresTasks } from './tasks.js';
import { createDueWatcher } from './watch.js';

export type { PostgresOptions } from './db.js';

/**
 * The shared store: a pg Pool (connections are created lazily and replaced
 * after a server restart), every operation one parameterised statement
 * where it can be, and a dedicated LISTEN connection for wake-ups.
 * Migrations are applied before the store is returned.
 */
export async function openPostgresStore(
  databaseUrl: string,
  opts: PostgresOptions = {},
  cipher: FieldCipher = null,
): Promise<Store> {
  const config = clientConfigFor(databaseUrl, opts);
  const db = createDb(config, opts.poolMax);
  const watcher = createDueWatcher(config);
  const notifier = createDueNotifier(db);
  const content = postgresContent(db, notifier);
  const store: Store = {
    migrate: () => migrate(config, db.schema),
    async close() {
      await watcher.close();
      await db.pool.end().catch(() => {});
    },
    watchDue: (listener) => watcher.subscribe(listener),
    gauges: postgresGauges(db),
    apps: postgresApps(db),
    eventTypes: postgresEventTypes(db),
    endpoints: postgresEndpoints(db, cipher),
    messages: { ...postgresMessages(db, notifier, cipher), ...content.messages },
    queue: { ...postgresQueue(db, notifier, cipher), ...content.queue },
    attempts: { ...postgresAttempts(db), ...content.attempts },
    idempotency: postgresIdempotency(db),
    settings: postgresSettings(db),
    portalTokens: postgresPortalTokens(db),
    operatorSessions: postgresOperatorSessions(db),
    tasks: postgresTasks(db),
  };
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
