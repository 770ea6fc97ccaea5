import { describe } from 'vitest';
import { postgresAvailable } from '../helpers/postgres.js';
import { restorePostgres, restoreSqlite } from './restore.js';
import { upgradeSteps } from './scenario.js';

/**
 * Databases made by an earlier release (test/fixtures/upgrade, see its
 * README) upgrade in place when the current code opens them, and then deliver
 * everything they owed exactly as before.
 */
describe('upgrading a SQLite database made by an earlier release', () => {
  upgradeSteps('sqlite', async (dump) => restoreSqlite(dump));
});

const pgAvailable = await postgresAvailable();
describe.skipIf(!pgAvailable)('upgrading a PostgreSQL database made by an earlier release', () => {
  upgradeSteps('postgres', restorePostgres);
});
