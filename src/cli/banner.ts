import type { Config } from '../config.js';

/** Hides a password in a postgres:// URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * The start banner, for the operator. A generated token is shown once (never
 * in the structured log); a configured one is not: it came from a secret
 * store. A worker serves only /api/v1/health, so that is what it suggests trying.
 */
export function banner(config: Config, server: { url: string; apiToken: string }): string {
  const lines = [
    `Hookline ${config.role === 'all' ? '' : `(${config.role}) `}listening on ${server.url}`,
    `  database:  ${redactUrl(config.databaseUrl)}`,
  ];
  const generated = !config.apiToken;
  lines.push(
    generated
      ? `  API token: ${server.apiToken} (stored in the database)`
      : '  API token: from --api-token / HOOKLINE_API_TOKEN (not shown)',
  );
  if (config.role === 'worker') {
    lines.push(`  try: curl ${server.url}/api/v1/health   (a worker serves only the health check)`);
  } else if (generated) {
    lines.push(`  try: curl -H "Authorization: Bearer ${server.apiToken}" ${server.url}/api/v1/app`);
    lines.push(`   or: HOOKLINE_API_TOKEN=${server.apiToken} npx hookline app list`);
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
  server: { url: string; apiToken: string },
): { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }[] {
  // Shown once so the operator can use it; a configured token never is.
  const token = config.apiToken
    ? 'API token: from --api-token / HOOKLINE_API_TOKEN (not shown)'
    : `API token: ${server.apiToken} (stored in the database)`;
  // One record, so a reader that waits for "listening on" has the token line in the same write.
  const records: { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }[] = [
    {
      level: 'info',
      fields: { url: server.url, role: config.role, database: redactUrl(config.databaseUrl) },
      msg: `Hookline listening on ${server.url} (role ${config.role}); ${token}`,
    },
  ];
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
