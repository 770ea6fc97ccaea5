/**
 * A database for one bench run and the Hookline processes on it, for the
 * benches of work that grows (fanout, growth, backlog, retention): a SQLite
 * file in a temporary directory, or a scratch PostgreSQL schema (util.ts
 * scratchSchema), either removed by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadPostgres, loadSqlite, type LoadOptions, type LoadTarget } from './loader.js';
import { apiClient, memoryOf, scratchSchema, startHookline } from './util.js';

export type Backend = 'sqlite' | 'postgres';
export type Proc = Awaited<ReturnType<typeof startHookline>>;

export const DEFAULT_PG = process.env.HOOKLINE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_TOKEN = `hk_bench_${randomBytes(12).toString('hex')}`;

export interface BenchDb {
  backend: Backend;
  /** What `--database` takes. */
  url: string;
  /** Bytes on disk: the SQLite file and its WAL, or every table, index and TOAST table of the schema. */
  sizeBytes(): Promise<{ total: number; detail: string }>;
  /** Rows straight into the database (loader.ts); on SQLite no server may be running. */
  load(target: LoadTarget, opts: LoadOptions): Promise<void>;
  /** A statement on the database (EXPLAIN, counts): PostgreSQL only; `rollback` runs it in a transaction rolled back. */
  query<T>(sql: string, params?: unknown[], rollback?: boolean): Promise<T[]>;
  /** PostgreSQL's `autovacuum` setting ('on' or 'off'; null on SQLite): off, no dead row is ever reclaimed. */
  autovacuum(): Promise<string | null>;
  /**
   * PostgreSQL: a plain VACUUM (ANALYZE) of the three growing tables, standing in for autovacuum,
   * then a CHECKPOINT: the first VACUUM after a bulk load dirties every page it visits (hint bits,
   * the visibility map), gigabytes at 10 million rows, which the server would otherwise write back
   * during the next measurement. Autovacuum on a live server spreads that work out.
   */
  vacuum(): Promise<void>;
  /** `hookline serve` on this database with the bench's flags. */
  serve(role: 'all' | 'api' | 'worker', extra?: string[]): Promise<Proc>;
  drop(): Promise<void>;
}

export async function benchDb(backend: Backend, label: string, postgres = DEFAULT_PG): Promise<BenchDb> {
  const dir = mkdtempSync(join(tmpdir(), `hookline-${label}-`));
  const file = join(dir, 'bench.db');
  const schema = backend === 'postgres' ? await scratchSchema(postgres, label) : null;
  const url = schema ? schema.url : `sqlite:${file}`;
  const schemaName = schema ? new URL(schema.url).searchParams.get('schema')! : '';
  const withClient = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: postgres });
    await c.connect();
    try {
      await c.query(`SET search_path TO ${schemaName}`);
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  return {
    backend,
    url,
    async sizeBytes() {
      if (!schema) {
        const db = size(file);
        const wal = size(`${file}-wal`);
        return { total: db + wal, detail: `file ${mb(db)} MB + WAL ${mb(wal)} MB` };
      }
      const rows = await withClient((c) =>
        c.query<{ name: string; bytes: string }>(
          `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC`,
          [schemaName],
        ),
      );
      const total = rows.rows.reduce((s, r) => s + Number(r.bytes), 0);
      const top = rows.rows.slice(0, 3).map((r) => `${r.name} ${mb(Number(r.bytes))} MB`);
      return { total, detail: top.join(', ') };
    },
    async load(target, opts) {
      if (schema) await loadPostgres(schema.url, target, opts);
      else loadSqlite(file, target, opts);
    },
    async query<T>(sql: string, params: unknown[] = [], rollback = false) {
      if (!schema) throw new Error('query() is for PostgreSQL');
      return withClient(async (c) => {
        if (!rollback) return (await c.query(sql, params)).rows as T[];
        await c.query('BEGIN');
        try {
          return (await c.query(sql, params)).rows as T[];
        } finally {
          await c.query('ROLLBACK');
        }
      });
    },
    async autovacuum() {
      if (!schema) return null;
      return withClient(
        async (c) => (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum,
      );
    },
    async vacuum() {
      if (!schema) return;
      await withClient(async (c) => {
        await c.query('VACUUM (ANALYZE) messages, deliveries, attempts');
        await c.query('CHECKPOINT');
      });
    },
    serve: (role, extra = []) =>
      startHookline([
        '--database',
        url,
        '--port',
        '0',
        '--api-token',
        BENCH_TOKEN,
        '--allow-private-networks',
        ...(role === 'all' ? [] : ['--role', role]),
        ...extra,
      ]),
    async drop() {
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const mb = (bytes: number) => Math.round(bytes / 1048576);

/** An application and `count` endpoints at `urlOf(i)`, created through the API, `parallel` at a time. */
export async function appWithEndpoints(
  apiUrl: string,
  count: number,
  urlOf: (i: number) => string,
  parallel = 16,
): Promise<{ appId: string; endpointIds: string[] }> {
  const api = apiClient(apiUrl, BENCH_TOKEN, parallel);
  try {
    const appId = (await api.call('POST', '/api/v1/app', { name: 'bench' })).id as string;
    const endpointIds: string[] = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(parallel, count) }, async () => {
        while (next < count) {
          const i = next++;
          endpointIds[i] = (await api.call('POST', `/api/v1/app/${appId}/endpoint`, { url: urlOf(i) }))
            .id as string;
        }
      }),
    );
    return { appId, endpointIds };
  } finally {
    await api.close();
  }
}

/** Resident memory of the processes now and at their peak, in MB (the largest process). */
export function rssOf(procs: Proc[]): { rssMb: number; peakRssMb: number } {
  const m = procs.map((p) => memoryOf(p.pid));
  return {
    rssMb: Math.max(...m.map((x) => x.rssMb)),
    peakRssMb: Math.max(...m.map((x) => x.peakRssMb)),
  };
}

/**
 * The machine line every growth bench prints and puts in its JSON: the date,
 * the cores and the load average when the bench started (the first call),
 * which says whether anything else was running (the bench itself has not
 * loaded it yet).
 */
let startedOn: string | null = null;
export function machine(): string {
  startedOn ??= `${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at the start`;
  return startedOn;
}
