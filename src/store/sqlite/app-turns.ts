import { type AppPage, turnShare } from '../app-turns.js';
import { BOUND_LIMIT, type Db } from './db.js';
import { PLAIN } from './gated.js';

/** A step of the skip scan: the next application after ? with rows in deliveries_app_due. */
const NEXT_APP = `
SELECT app_id FROM deliveries INDEXED BY deliveries_app_due
WHERE app_id > ? AND due_at IS NOT NULL AND parked = 0
ORDER BY app_id LIMIT 1`;

/**
 * One application's oldest due deliveries, with the plain claim's rules (queue.ts PLAIN_DUE).
 * INDEXED BY: walking deliveries_due instead (due_at < ?, then the app) would read through
 * another tenant's whole backlog to reach this one's rows, the very thing the turns avoid.
 */
const APP_DUE = `
SELECT d.id FROM deliveries d INDEXED BY deliveries_app_due
WHERE d.app_id = ? AND d.due_at <= ? AND ${PLAIN}
ORDER BY d.due_at ${BOUND_LIMIT}`;

/** What one claim's turns picked, and the applications its page visited. */
export interface Turns {
  ids: string[];
  apps: string[];
}

/**
 * The applications' turns of a plain claim (../app-turns.ts): up to `limit`
 * due deliveries, an even share from each application of the page. Runs
 * inside the claim transaction, before the oldest-first part.
 */
export function sqliteAppTurns(db: Db): (now: number, limit: number, page: AppPage) => Turns {
  const nextApp = db.prepare<[string], { app_id: string }>(NEXT_APP);
  const appDue = db.prepare<[string, number, number], { id: string }>(APP_DUE);

  return (now, limit, page) => {
    const apps: string[] = [];
    for (let app = nextApp.get(page.after); app && apps.length < page.size; app = nextApp.get(app.app_id))
      apps.push(app.app_id);
    const share = turnShare(limit, apps.length);
    const ids: string[] = [];
    for (const app of apps) {
      if (ids.length >= limit) break;
      ids.push(...appDue.all(app, now, Math.min(share, limit - ids.length)).map((r) => r.id));
    }
    return { ids, apps };
  };
}
