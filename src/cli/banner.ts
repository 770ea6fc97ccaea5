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
