import type { Config } from '../config.js';

/** Hides a password in a postgres:// URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** What the banner knows of the server: its URL, and the API token if this start generated it. */
export interface BannerServer {
  url: string;
  newApiToken: string | null;
  /** The --metrics-port listener's URL, when /metrics has one of its own. */
  metricsUrl?: string | null;
}

/**
 * The token line. A generated token is shown once, on the start that made it
 * (only its hash is stored, so it cannot be shown again); a configured one
 * never is: it came from a secret store.
 */
function tokenLine(config: Config, server: BannerServer): string {
  if (config.apiToken) return 'API token: from --api-token / HOOKLINE_API_TOKEN (not shown)';
  if (server.newApiToken)
    return `API token: ${server.newApiToken} (generated now and stored as a hash: shown this once, keep it)`;
  return 'API token: the one generated on first start (stored as a hash, not shown again; --api-token sets one)';
}

/**
 * The start banner, for the operator at a terminal. A worker serves only
 * /api/v1/health, so that is what it suggests trying.
 */
export function banner(config: Config, server: BannerServer): string {
  const lines = [
    `Hookline ${config.role === 'all' ? '' : `(${config.role}) `}listening on ${server.url}`,
    `  database:  ${redactUrl(config.databaseUrl)}`,
  ];
  lines.push(`  ${tokenLine(config, server)}`);
  if (server.metricsUrl) lines.push(`  metrics:   ${server.metricsUrl}/metrics (--metrics-port, no token)`);
  const token = config.apiToken ? null : server.newApiToken;
  if (config.role === 'worker') {
    lines.push(`  try: curl ${server.url}/api/v1/health   (a worker serves only the health check)`);
  } else if (token) {
    lines.push(`  try: curl -H "Authorization: Bearer ${token}" ${server.url}/api/v1/app`);
    lines.push(`   or: HOOKLINE_API_TOKEN=${token} npx hookline app list`);
  }
  if (config.allowPrivateNetworks) {
    lines.push(
      '  SSRF guard: OFF (--allow-private-networks): deliveries may reach loopback and private networks; for development only',
    );
  } else if (config.allowedCidrs.length > 0) {
    lines.push(`  SSRF guard: on, letting through ${config.allowedCidrs.join(', ')} (--allowed-cidrs)`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The banner as log records, for when stdout is not a terminal and every line
 * on it is JSON. The messages keep the banner's words (`listening on URL `,
 * `API token: ...`), which scripts and orchestrators already look for; the
 * try-this hints are for people at a terminal and left out.
 */
export function bannerRecords(
  config: Config,
  server: BannerServer,
): { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }[] {
  const token = tokenLine(config, server);
  // One record, so a reader that waits for "listening on" has the token line in the same write.
  const records: { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }[] = [
    {
      level: 'info',
      fields: { url: server.url, role: config.role, database: redactUrl(config.databaseUrl) },
      msg: `Hookline listening on ${server.url} (role ${config.role}); ${token}`,
    },
  ];
  if (server.metricsUrl) {
    records.push({
      level: 'info',
      fields: { metricsUrl: `${server.metricsUrl}/metrics` },
      msg: `metrics on ${server.metricsUrl}/metrics (--metrics-port, no token)`,
    });
  }
  if (config.allowPrivateNetworks) {
    records.push({
      level: 'warn',
      fields: {},
      msg: 'SSRF guard: OFF (--allow-private-networks): deliveries may reach loopback and private networks; for development only',
    });
  } else if (config.allowedCidrs.length > 0) {
    records.push({
      level: 'info',
      fields: { allowedCidrs: config.allowedCidrs },
      msg: 'SSRF guard: on, letting through the --allowed-cidrs ranges',
    });
  }
  return records;
}
