import type { Command } from 'commander';
import { type Connection, resolveConnection } from './connection.js';
import { failure } from './errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | string[] | undefined>;

/** The REST API as the CLI uses it: JSON in, JSON out, every failure a one-line CliError (exit 1). */
export interface ApiClient {
  readonly connection: Connection;
  request<T = unknown>(method: Method, path: string, opts?: { query?: Query; body?: unknown }): Promise<T>;
}

/** One line from a Svix error body: `{code, detail}` or a 422's `{detail: [{loc, msg}]}`. */
export function describeError(status: number, body: unknown): string {
  const b = (body ?? {}) as { code?: unknown; detail?: unknown };
  if (Array.isArray(b.detail)) {
    const issues = (b.detail as { loc?: unknown[]; msg?: string }[]).map((i) => {
      const loc = (i.loc ?? []).filter((part) => part !== 'body' && part !== 'query').join('.');
      return loc ? `${loc}: ${i.msg}` : String(i.msg);
    });
    return `invalid request (${status}): ${issues.join('; ')}`;
  }
  const code = typeof b.code === 'string' ? b.code : `HTTP ${status}`;
  const detail = typeof b.detail === 'string' ? b.detail : '';
  return detail ? `${detail} (${status} ${code})` : `${status} ${code}`;
}

/** Why a request never got an answer, in words (fetch wraps the socket error in `cause`). */
function transportReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code === 'ETIMEDOUT' || cause?.code === 'UND_ERR_CONNECT_TIMEOUT') return 'timed out';
  if (cause?.code) return cause.code;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export function urlOf(server: string, path: string, query: Query = {}): string {
  const url = new URL(`${server}${path}`);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, v);
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export function createClient(connection: Connection): ApiClient {
  return {
    connection,
    async request<T>(method: Method, path: string, opts: { query?: Query; body?: unknown } = {}) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (connection.token) headers.authorization = `Bearer ${connection.token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(urlOf(connection.server, path, opts.query), {
          method,
          headers,
          // A string is JSON text already (a payload kept byte for byte as the user wrote it).
          body:
            opts.body === undefined || typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw failure(
          `cannot reach the Hookline server at ${connection.server} (${transportReason(err)}); ` +
            'is it running? Set the address with --server or HOOKLINE_SERVER_URL',
        );
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (res.status === 401) {
        throw failure(
          connection.token === null
            ? `the server at ${connection.server} needs an API token: set HOOKLINE_API_TOKEN or run \`hookline login\``
            : `the server at ${connection.server} refused the API token (from ${connection.tokenSource}): ` +
                'check HOOKLINE_API_TOKEN or run `hookline login` again',
        );
      }
      if (!res.ok) throw failure(describeError(res.status, body));
      return body as T;
    },
  };
}

/** The client for a command, from its flags, the environment and the stored login. */
export const clientFor = (cmd: Command): ApiClient => createClient(resolveConnection(cmd));
