import { DEFAULTS, type Config } from '../../src/config.js';

/** Helpers for the observability tests: a server's config and reading Prometheus text. */
export const TOKEN = 'hk_observe_token_0123456789abcdef';

export const serverConfig = (databaseUrl: string, over: Partial<Config> = {}): Config => ({
  ...DEFAULTS,
  databaseUrl,
  port: 0,
  apiToken: TOKEN,
  pollIntervalMs: 20,
  allowPrivateNetworks: true,
  ...over,
});

/** A call to the API with the token, JSON in and out. */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * The value of one sample in a text exposition: `name` with exactly these
 * labels (in any order); undefined when there is no such sample.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      got[k as string] = v as string;
    }
    const keys = Object.keys(labels);
    if (keys.length !== Object.keys(got).length) continue;
    if (keys.every((k) => got[k] === labels[k])) return Number(m[3]);
  }
  return undefined;
}
