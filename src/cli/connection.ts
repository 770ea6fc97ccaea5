import type { Command } from 'commander';
import { readConfig } from './config-file.js';
import { usage } from './errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8071';

export interface Connection {
  server: string;
  token: string | null;
  /** Where the token came from, for error messages (never the token itself). */
  tokenSource: 'HOOKLINE_API_TOKEN' | 'hookline login' | null;
}

/** `http://host:port` without a trailing slash, so paths join cleanly and stored tokens match. */
export function normalizeServer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`invalid server URL "${text}": expected http://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`invalid server URL "${text}": expected http:// or https://`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The server: --server, then HOOKLINE_SERVER_URL, then the one `hookline login`
 * stored, then the default. The token: HOOKLINE_API_TOKEN, then the one stored for that server.
 */
export function resolveConnection(cmd: Command, env: NodeJS.ProcessEnv = process.env): Connection {
  const flag = cmd.optsWithGlobals().server as string | undefined;
  const stored = readConfig();
  const server = normalizeServer(flag ?? (env.HOOKLINE_SERVER_URL || stored.server || DEFAULT_SERVER));
  if (env.HOOKLINE_API_TOKEN)
    return { server, token: env.HOOKLINE_API_TOKEN, tokenSource: 'HOOKLINE_API_TOKEN' };
  const token = stored.tokens?.[server] ?? null;
  return { server, token, tokenSource: token === null ? null : 'hookline login' };
}
