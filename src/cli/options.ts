import type { Command } from 'commander';
import { type Config, DEFAULTS, OPTION_NAMES, type RawConfig } from '../config.js';
import { formatDuration } from '../core/duration.js';

const DESCRIPTIONS: Record<keyof Config, string> = {
  port: 'HTTP port',
  host: 'address to listen on',
  databaseUrl: 'sqlite:<file>, sqlite::memory: or postgres://...',
  apiToken: 'API bearer token (default: generated once and stored)',
  retrySchedule: 'delays between attempts after the first, comma-separated',
  requestTimeoutMs: 'timeout of one delivery attempt',
  concurrency: 'deliveries in flight per process',
  endpointShare: 'slots one endpoint may fill before fair sharing caps it (default: concurrency / 4; 0: off)',
  maxBodyBytes: 'largest request body / payload accepted',
  maxConnections: 'open API connections at most (new ones beyond are closed)',
  leaseMs: 'how long a claimed delivery stays with its worker',
  pollIntervalMs: 'fallback poll interval of an idle worker',
  secretGracePeriodMs: 'default time a rotated-out secret keeps signing',
  role: 'all, api or worker',
  allowPrivateNetworks: 'let deliveries reach loopback and private networks (development)',
  allowedCidrs: 'private ranges deliveries may reach, comma-separated CIDRs',
  logLevel: 'fatal, error, warn, info, debug, trace or silent',
  maxRetryAfterMs: 'longest Retry-After (429/503) honoured',
  breakerThreshold: 'consecutive failures that open an endpoint circuit breaker (0: never)',
  breakerBackoffMs: 'first probe delay of an open breaker (doubles per failed probe, up to 30m)',
  autoDisableAfterMs: 'disable an endpoint failing without success for this long (0: never)',
  encryptionKey:
    'main keys sealing endpoint secrets and headers, comma-separated, first encrypts (base64 or hex, 32 bytes)',
  encryptionKeyFile:
    'file holding the main keys, one a line (default for sqlite:<file>: <file>.key, generated)',
  metricsPort: 'serve /metrics on this port without the token (default: on the API port, behind the token)',
  metricsHost: 'address the --metrics-port listener binds to',
  metricsPerEndpoint: 'per-endpoint attempt counters in /metrics (one series per endpoint)',
  sendTraceparent: 'send a W3C traceparent header with each delivery',
  publicUrl:
    'URL people reach this server at, for app-portal and dashboard links (default: the request Host)',
  portalFrameAncestors: 'sites that may embed the app portal in an iframe (CSP frame-ancestors)',
};

/** Sizes in the largest unit the flag accepts that divides them (1048576 is `1mb`). */
function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}mb`;
  if (n % 1024 === 0) return `${n / 1024}kb`;
  return String(n);
}

/**
 * A default as `serve --help` shows it and the README's configuration table
 * must write it (a test holds the README to this): durations and sizes in the
 * units the flags accept, largest unit first.
 */
export function defaultText(key: keyof Config): string | undefined {
  const value = DEFAULTS[key];
  if (value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (key === 'retrySchedule') return (value as readonly number[]).map(formatDuration).join(',');
  if (key.endsWith('Ms')) return formatDuration(value as number);
  if (key === 'maxBodyBytes') return formatBytes(value as number);
  return String(value);
}

/** One flag per Config key, with its env var and default in the help text. */
export function addConfigOptions(cmd: Command): void {
  for (const key of Object.keys(OPTION_NAMES) as (keyof Config)[]) {
    const { flag, env } = OPTION_NAMES[key];
    const def = defaultText(key);
    if (typeof DEFAULTS[key] === 'boolean') {
      cmd.option(flag, `${DESCRIPTIONS[key]} [${env}=1]`);
      continue;
    }
    cmd.option(
      `${flag} <value>`,
      `${DESCRIPTIONS[key]} [${env}${def === undefined ? '' : `, default ${def}`}]`,
    );
  }
}

/** Commander's camelCased option names back to Config keys. */
export function rawFromOptions(options: Record<string, string | boolean | undefined>): RawConfig {
  const raw: RawConfig = {};
  for (const key of Object.keys(OPTION_NAMES) as (keyof Config)[]) {
    const camel = OPTION_NAMES[key].flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = options[camel];
    if (value !== undefined) raw[key] = value === true ? '1' : String(value);
  }
  return raw;
}
