/**
 * "Work became due" travels on one channel with the schema as payload, so
 * several Hookline deployments (or test files) sharing a database only wake
 * their own workers. pg_notify inside the writing statement is delivered at
 * commit, never before the rows are visible.
 */
export const DUE_CHANNEL = 'hookline_due';
export const NOTIFY_DUE_SQL = `pg_notify('${DUE_CHANNEL}', current_schema())`;
