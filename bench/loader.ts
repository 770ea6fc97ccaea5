/**
 * Fast loaders for the growth and backlog benches: rows straight into the
 * database, not through the API (a million messages through the API take
 * longer than the whole bench may).
 *
 * Every loaded message has one delivery; a finished one ("history": the
 * delivery succeeded and has one attempt) or a waiting one ("backlog":
 * pending and due now, no attempt). Ids have the format of core/ids.ts
 * (prefix, 9 base62 characters of milliseconds, 14 more), the time part from
 * `idFloor` (SQLite) or `hookline_new_id` (PostgreSQL) once per millisecond
 * and the rest the row's number within that millisecond, 1,000 rows a
 * millisecond, so ids sort in creation order like real ones and history
 * stays older than anything the bench sends afterwards.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { idFloor } from '../src/core/ids.js';
import { BENCH_PAYLOAD } from './util.js';

export interface LoadTarget {
  /** The application and endpoints (created through the API) the rows belong to. */
  appId: string;
  endpointIds: string[];
  /** The endpoint URL stored in attempts. */
  url: string;
}

export interface LoadOptions {
  kind: 'history' | 'backlog';
  rows: number;
  /** Epoch ms of the first row; rows advance 1 ms per ROWS_PER_MS. */
  fromMs: number;
  onProgress?: (done: number) => void;
}

export const ROWS_PER_MS = 1000;

/** The id of the row numbered `n` within millisecond `ms`. */
function rowId(prefix: 'msg' | 'dlv' | 'atmpt', ms: number, n: number): string {
  return idFloor(prefix, ms).slice(0, -14) + String(n).padStart(14, '0');
}

/**
 * SQLite: prepared statements, one transaction per 100,000 rows (one huge
 * transaction would grow the WAL by gigabytes before its checkpoint). The
 * server must not be running: SQLite has one writer.
 */
export function loadSqlite(file: string, target: LoadTarget, opts: LoadOptions): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MB: index pages stay cached while loading
  const message = db.prepare(
    `INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
     VALUES (?, ?, 'payment.succeeded', NULL, ?, NULL, NULL, ?)`,
  );
  const delivery = db.prepare(
    `INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at,
       lease_token, trigger, created_at, updated_at, parked)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'scheduled', ?, ?, 0)`,
  );
  const attempt = db.prepare(
    `INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code,
       response, response_duration_ms, error_class, trigger, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'success', 200, '', 3, NULL, 'scheduled', ?)`,
  );
  const history = opts.kind === 'history';
  const now = Date.now();
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const ms = opts.fromMs + Math.floor(i / ROWS_PER_MS);
      const n = i % ROWS_PER_MS;
      const msgId = rowId('msg', ms, n);
      const dlvId = rowId('dlv', ms, n);
      const endpointId = target.endpointIds[i % target.endpointIds.length]!;
      message.run(msgId, target.appId, BENCH_PAYLOAD, ms);
      if (history) {
        delivery.run(dlvId, target.appId, msgId, endpointId, 'success', 1, null, null, ms, ms + 3);
        attempt.run(rowId('atmpt', ms, n), target.appId, msgId, endpointId, dlvId, target.url, ms + 3);
      } else {
        delivery.run(dlvId, target.appId, msgId, endpointId, 'pending', 0, now, now, ms, ms);
      }
    }
  });
  const STEP = 100_000;
  for (let i = 0; i < opts.rows; i += STEP) {
    chunk(i, Math.min(opts.rows, i + STEP));
    opts.onProgress?.(Math.min(opts.rows, i + STEP));
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * PostgreSQL: INSERT ... SELECT over generate_series, 1,000,000 rows a
 * statement (three statements: messages, deliveries, attempts), then VACUUM
 * ANALYZE: a real history has long been vacuumed and analyzed, and without it
 * autovacuum's first pass over the fresh rows (and the hint bits every first
 * read sets) would run during the measurement, on the same two cores.
 */
export async function loadPostgres(url: string, target: LoadTarget, opts: LoadOptions): Promise<void> {
  const schema = new URL(url).searchParams.get('schema')!;
  const base = new URL(url);
  base.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: base.toString() });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query('SET synchronous_commit TO off');
    const STEP = 1_000_000;
    for (let from = 0; from < opts.rows; from += STEP) {
      const to = Math.min(opts.rows, from + STEP);
      const params = [from, to, opts.fromMs, target.appId, target.endpointIds];
      const blocks = `
        WITH ms AS (
          SELECT m, substr(hookline_new_id('x', $3::bigint + m), 3, 9) AS t
          FROM generate_series($1::bigint / ${ROWS_PER_MS}, ($2::bigint - 1) / ${ROWS_PER_MS}) AS m
        ), r AS (
          SELECT i, ms.t || lpad((i % ${ROWS_PER_MS})::text, 14, '0') AS suffix,
                 to_timestamp(($3::bigint + i / ${ROWS_PER_MS}) / 1000.0) AS at,
                 ($5::text[])[1 + (i % array_length($5::text[], 1))] AS endpoint_id
          FROM generate_series($1::bigint, $2::bigint - 1) AS i
          JOIN ms ON ms.m = i / ${ROWS_PER_MS}
        )`;
      await client.query(
        `${blocks}
         INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, tags, created_at)
         SELECT 'msg_' || suffix, $4, 'payment.succeeded', NULL, $6, NULL, NULL, at FROM r`,
        [...params, BENCH_PAYLOAD],
      );
      if (opts.kind === 'history') {
        await client.query(
          `${blocks}
           INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at,
             lease_token, trigger, created_at, updated_at, parked)
           SELECT 'dlv_' || suffix, $4, 'msg_' || suffix, endpoint_id, 'success', 1, NULL, NULL, NULL,
             'scheduled', at, at + interval '3 ms', false FROM r`,
          params,
        );
        await client.query(
          `${blocks}
           INSERT INTO attempts (id, app_id, msg_id, endpoint_id, delivery_id, url, status, response_status_code,
             response, response_duration_ms, error_class, trigger, created_at)
           SELECT 'atmpt_' || suffix, $4, 'msg_' || suffix, endpoint_id, 'dlv_' || suffix, $6, 'success', 200,
             '', 3, NULL, 'scheduled', at + interval '3 ms' FROM r`,
          [...params, target.url],
        );
      } else {
        await client.query(
          `${blocks}
           INSERT INTO deliveries (id, app_id, msg_id, endpoint_id, status, attempts, next_attempt_at, due_at,
             lease_token, trigger, created_at, updated_at, parked)
           SELECT 'dlv_' || suffix, $4, 'msg_' || suffix, endpoint_id, 'pending', 0, now(), now(), NULL,
             'scheduled', at, at, false FROM r`,
          params,
        );
      }
      opts.onProgress?.(to);
    }
    await client.query('VACUUM (ANALYZE) messages, deliveries, attempts');
  } finally {
    await client.end();
  }
}
