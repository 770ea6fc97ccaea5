import { HooklineError } from './core/errors.js';
import { formatDuration, parseDuration } from './core/duration.js';
import { isCidr } from './core/ip-ranges.js';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './core/retry.js';
import type { EndpointPolicy } from './core/policy.js';
import { parseKeys } from './core/secret-box.js';

/**
 * Every setting with its default. Flags (cli/) and HOOKLINE_* env vars map onto
 * these names; loadConfig validates once, at start, with messages naming the option.
 */
export interface Config {
  port: number;
  host: string;
  /** `sqlite:./hookline.db`, `sqlite::memory:` or `postgres://...`. */
  databaseUrl: string;
  /** Bearer token for the API; generated and stored on first start when unset. */
  apiToken: string | null;
  retrySchedule: RetrySchedule;
  requestTimeoutMs: number;
  /** Deliveries in flight per process. */
  concurrency: number;
  /**
   * Most of a worker's slots one endpoint may fill before fair sharing caps
   * it (README, Isolation); null: a quarter of `concurrency`; 0: off.
   */
  endpointShare: number | null;
  /** Largest accepted request body and message payload, in bytes. */
  maxBodyBytes: number;
  /** Open API connections; beyond it new ones are closed as they arrive. */
  maxConnections: number;
  /**
   * How long a claimed delivery stays ours before another worker may take it.
   * Workers renew leases of attempts still running, so this bounds how soon a
   * crashed worker's deliveries are retried, not how long an attempt may take.
   */
  leaseMs: number;
  /** Fallback poll interval when no wake-up arrives. */
  pollIntervalMs: number;
  /** Default grace period for rotated secrets. */
  secretGracePeriodMs: number;
  role: 'all' | 'api' | 'worker';
  /** SSRF guard off: deliver to loopback and private ranges (development only). */
  allowPrivateNetworks: boolean;
  /** Ranges the SSRF guard lets through although they are private, e.g. `10.1.0.0/16`. */
  allowedCidrs: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Longest `Retry-After` (429/503) honoured; longer ones are cut to this. */
  maxRetryAfterMs: number;
  /** Consecutive failed attempts that open an endpoint's circuit breaker; 0 never opens it. */
  breakerThreshold: number;
  /** Wait before the first probe of an open breaker; doubles per failed probe up to 30m. */
  breakerBackoffMs: number;
  /** Disable an endpoint that has failed without any success for this long; 0 never does. */
  autoDisableAfterMs: number;
  /**
   * Main keys sealing endpoint secrets and header values at rest, comma-separated;
   * the first encrypts, all decrypt (encryption.ts). Never logged.
   */
  encryptionKey: string | null;
  /** A file holding the keys instead, one a line. */
  encryptionKeyFile: string | null;
  /**
   * Serve GET /metrics on a listener of its own, without the token (null: on
   * the API port, behind the API token).
   */
  metricsPort: number | null;
  /** Address the metrics listener binds to; loopback unless a scraper elsewhere needs it. */
  metricsHost: string;
  /** Per-endpoint attempt counters (one series per endpoint and outcome): off, as it grows with endpoints. */
  metricsPerEndpoint: boolean;
  /** Send a W3C `traceparent` header with each delivery, so receivers can join the trace. */
  sendTraceparent: boolean;
  /**
   * The address people reach this server at (`https://hooks.example.com`), for
   * the links it hands out (app-portal access, `hookline dashboard`); without
   * it they are built from the request's Host.
   */
  publicUrl: string | null;
  /** CSP `frame-ancestors` of the app portal: the sites that may embed it in an iframe. */
  portalFrameAncestors: string;
}

/** The longest a rotated-out secret may keep signing (also the API's gracePeriodSeconds cap). */
export const MAX_SECRET_GRACE_MS = 7 * 86_400_000;
/**
 * The longest duration a timer is set for. Node runs a setTimeout of more than
 * 2^31-1 ms (24.8 days) after 1 ms, so a 30d request timeout would fail every
 * delivery at once and a 30d poll interval would spin.
 */
export const MAX_TIMER_MS = 24 * 86_400_000;

export const DEFAULTS: Config = {
  port: 8071,
  host: '127.0.0.1',
  databaseUrl: 'sqlite:./hookline.db',
  apiToken: null,
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
  requestTimeoutMs: 15_000,
  concurrency: 64,
  endpointShare: null,
  maxBodyBytes: 1024 * 1024,
  maxConnections: 1000,
  leaseMs: 60_000,
  pollIntervalMs: 1000,
  secretGracePeriodMs: 24 * 3_600_000,
  role: 'all',
  allowPrivateNetworks: false,
  allowedCidrs: [],
  logLevel: 'info',
  maxRetryAfterMs: 3_600_000,
  breakerThreshold: 5,
  breakerBackoffMs: 30_000,
  autoDisableAfterMs: 5 * 86_400_000,
  encryptionKey: null,
  encryptionKeyFile: null,
  metricsPort: null,
  metricsHost: '127.0.0.1',
  metricsPerEndpoint: false,
  sendTraceparent: false,
  publicUrl: null,
  portalFrameAncestors: "'self'",
};

/** The longest wait between two probes of an open breaker (the backoff doubles up to it). */
export const BREAKER_MAX_BACKOFF_MS = 30 * 60_000;

/** The slots one endpoint may fill before it is capped (0: fair sharing off). */
export const endpointShare = (c: Pick<Config, 'concurrency' | 'endpointShare'>): number =>
  c.endpointShare ?? Math.max(1, Math.floor(c.concurrency / 4));

/** How recorded attempts move endpoint health under this configuration (core/policy.ts). */
export const endpointPolicy = (
  c: Pick<Config, 'breakerThreshold' | 'breakerBackoffMs' | 'autoDisableAfterMs'>,
): EndpointPolicy => ({
  breakerThreshold: c.breakerThreshold,
  breakerBackoffMs: c.breakerBackoffMs,
  breakerMaxBackoffMs: BREAKER_MAX_BACKOFF_MS,
  autoDisableAfterMs: c.autoDisableAfterMs,
});

/** Raw settings as strings, from flags or env; keys are Config names. */
export type RawConfig = Partial<Record<keyof Config, string>>;

/** Option names as users type them, for error messages. */
export const OPTION_NAMES: Record<keyof Config, { flag: string; env: string }> = {
  port: { flag: '--port', env: 'HOOKLINE_PORT' },
  host: { flag: '--host', env: 'HOOKLINE_HOST' },
  databaseUrl: { flag: '--database', env: 'HOOKLINE_DATABASE_URL' },
  apiToken: { flag: '--api-token', env: 'HOOKLINE_API_TOKEN' },
  retrySchedule: { flag: '--retry-schedule', env: 'HOOKLINE_RETRY_SCHEDULE' },
  requestTimeoutMs: { flag: '--request-timeout', env: 'HOOKLINE_REQUEST_TIMEOUT' },
  concurrency: { flag: '--concurrency', env: 'HOOKLINE_CONCURRENCY' },
  endpointShare: { flag: '--endpoint-share', env: 'HOOKLINE_ENDPOINT_SHARE' },
  maxBodyBytes: { flag: '--max-body-size', env: 'HOOKLINE_MAX_BODY_SIZE' },
  maxConnections: { flag: '--max-connections', env: 'HOOKLINE_MAX_CONNECTIONS' },
  leaseMs: { flag: '--lease', env: 'HOOKLINE_LEASE' },
  pollIntervalMs: { flag: '--poll-interval', env: 'HOOKLINE_POLL_INTERVAL' },
  secretGracePeriodMs: { flag: '--secret-grace-period', env: 'HOOKLINE_SECRET_GRACE_PERIOD' },
  role: { flag: '--role', env: 'HOOKLINE_ROLE' },
  allowPrivateNetworks: { flag: '--allow-private-networks', env: 'HOOKLINE_ALLOW_PRIVATE_NETWORKS' },
  allowedCidrs: { flag: '--allowed-cidrs', env: 'HOOKLINE_ALLOWED_CIDRS' },
  logLevel: { flag: '--log-level', env: 'HOOKLINE_LOG_LEVEL' },
  maxRetryAfterMs: { flag: '--max-retry-after', env: 'HOOKLINE_MAX_RETRY_AFTER' },
  breakerThreshold: { flag: '--breaker-threshold', env: 'HOOKLINE_BREAKER_THRESHOLD' },
  breakerBackoffMs: { flag: '--breaker-backoff', env: 'HOOKLINE_BREAKER_BACKOFF' },
  autoDisableAfterMs: { flag: '--auto-disable-after', env: 'HOOKLINE_AUTO_DISABLE_AFTER' },
  encryptionKey: { flag: '--encryption-key', env: 'HOOKLINE_ENCRYPTION_KEY' },
  encryptionKeyFile: { flag: '--encryption-key-file', env: 'HOOKLINE_ENCRYPTION_KEY_FILE' },
  metricsPort: { flag: '--metrics-port', env: 'HOOKLINE_METRICS_PORT' },
  metricsHost: { flag: '--metrics-host', env: 'HOOKLINE_METRICS_HOST' },
  metricsPerEndpoint: { flag: '--metrics-per-endpoint', env: 'HOOKLINE_METRICS_PER_ENDPOINT' },
  sendTraceparent: { flag: '--send-traceparent', env: 'HOOKLINE_SEND_TRACEPARENT' },
  publicUrl: { flag: '--public-url', env: 'HOOKLINE_PUBLIC_URL' },
  portalFrameAncestors: { flag: '--portal-frame-ancestors', env: 'HOOKLINE_PORTAL_FRAME_ANCESTORS' },
};

/**
 * An option as messages name it: a setting by its flag and env var, or an
 * option of one command only (`hookline prune --every`) by its flag.
 */
type OptionName = keyof Config | `--${string}`;

function fail(option: OptionName, why: string): never {
  let name: string = option;
  if (!option.startsWith('--')) {
    const { flag, env } = OPTION_NAMES[option as keyof Config];
    name = `${flag} (${env})`;
  }
  throw new HooklineError('CONFIG_INVALID', `invalid ${name}: ${why}`);
}

function integer(option: OptionName, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    fail(option, `expected an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** How a command's duration messages read; serve's and prune's differ, and both are kept word for word. */
interface DurationWording {
  /** Examples named when the text is no duration. */
  like: string;
  /** Below the minimum reads as no duration at all (prune: 0 is neither an age nor a period), not "must be at least". */
  shortIsNoDuration: boolean;
  /** "must be at most" repeats the text given. */
  quoteTooLong: boolean;
}

const SERVE_WORDING: DurationWording = {
  like: '500ms, 15s, 5m, 2h or 7d',
  shortIsNoDuration: false,
  quoteTooLong: true,
};
const PRUNE_WORDING: DurationWording = {
  like: '30d, 12h or 90m',
  shortIsNoDuration: true,
  quoteTooLong: false,
};

function duration(
  option: OptionName,
  text: string,
  minMs: number,
  maxMs = MAX_TIMER_MS,
  wording = SERVE_WORDING,
): number {
  const ms = parseDuration(text);
  if (ms === undefined || (ms < minMs && wording.shortIsNoDuration))
    fail(option, `expected a duration like ${wording.like}, got "${text}"`);
  if (ms < minMs) fail(option, `must be at least ${minMs}ms, got "${text}"`);
  if (ms > maxMs)
    fail(option, `must be at most ${formatDuration(maxMs)}${wording.quoteTooLong ? `, got "${text}"` : ''}`);
  return ms;
}

function bytes(key: keyof Config, text: string): number {
  const m = /^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$/i.exec(text);
  if (!m) fail(key, `expected a size like 1048576, 512kb or 1mb, got "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const n = Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
  if (n < 1024) fail(key, `must be at least 1024 bytes, got "${text}"`);
  return n;
}

function oneOf<T extends string>(key: keyof Config, text: string, options: readonly T[]): T {
  if (!options.includes(text as T)) fail(key, `expected one of ${options.join(', ')}, got "${text}"`);
  return text as T;
}

/** A switch given as a flag (`1`) or an env var (`1`, `true`, `0`, `false`). */
function onOff(key: keyof Config, text: string): boolean {
  const flag = oneOf(key, text, ['1', 'true', '0', 'false'] as const);
  return flag === '1' || flag === 'true';
}

/** A `--database` value, checked as `serve` and `prune` both need it. */
export function databaseUrl(text: string): string {
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(text)) {
    fail('databaseUrl', `expected sqlite:<file>, sqlite::memory: or postgres://..., got "${text}"`);
  }
  if (text === 'sqlite:') fail('databaseUrl', 'sqlite: needs a file path or :memory:');
  if (text.startsWith('postgres') && !URL.canParse(text)) {
    fail('databaseUrl', 'not a valid URL (special characters in the password must be %-encoded)');
  }
  return text;
}

/** Reads HOOKLINE_* variables into raw settings. */
export function rawFromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const raw: RawConfig = {};
  for (const [key, { env: name }] of Object.entries(OPTION_NAMES) as [keyof Config, { env: string }][]) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return raw;
}

/** Validates raw settings over the defaults. Throws CONFIG_INVALID naming the option and why. */
export function loadConfig(raw: RawConfig): Config {
  const c: Config = { ...DEFAULTS };
  if (raw.port !== undefined) c.port = integer('port', raw.port, 0, 65535);
  if (raw.host !== undefined) c.host = raw.host.trim() || fail('host', 'must not be empty');
  if (raw.databaseUrl !== undefined) c.databaseUrl = databaseUrl(raw.databaseUrl);
  if (raw.apiToken !== undefined) {
    // Header values arrive trimmed, so spaces around a token could never match.
    if (raw.apiToken.trim() !== raw.apiToken) fail('apiToken', 'must not start or end with whitespace');
    if (raw.apiToken.length < 16) fail('apiToken', 'must be at least 16 characters');
    c.apiToken = raw.apiToken;
  }
  if (raw.retrySchedule !== undefined) {
    const schedule = parseRetrySchedule(raw.retrySchedule);
    if (!schedule)
      fail('retrySchedule', `expected comma-separated durations like 5s,5m,30m, got "${raw.retrySchedule}"`);
    if (schedule.length > 50) fail('retrySchedule', 'at most 50 retries');
    c.retrySchedule = schedule;
  }
  if (raw.requestTimeoutMs !== undefined)
    c.requestTimeoutMs = duration('requestTimeoutMs', raw.requestTimeoutMs, 100);
  if (raw.concurrency !== undefined) c.concurrency = integer('concurrency', raw.concurrency, 1, 10_000);
  if (raw.endpointShare !== undefined)
    c.endpointShare = integer('endpointShare', raw.endpointShare, 0, 10_000);
  if (raw.maxBodyBytes !== undefined) c.maxBodyBytes = bytes('maxBodyBytes', raw.maxBodyBytes);
  if (raw.maxConnections !== undefined)
    c.maxConnections = integer('maxConnections', raw.maxConnections, 1, 1_000_000);
  if (raw.leaseMs !== undefined) c.leaseMs = duration('leaseMs', raw.leaseMs, 1000);
  if (raw.pollIntervalMs !== undefined) c.pollIntervalMs = duration('pollIntervalMs', raw.pollIntervalMs, 10);
  if (raw.secretGracePeriodMs !== undefined) {
    c.secretGracePeriodMs = duration('secretGracePeriodMs', raw.secretGracePeriodMs, 0);
    // Every secret in grace signs every delivery; a week bounds how long a leaked one stays useful.
    if (c.secretGracePeriodMs > MAX_SECRET_GRACE_MS) fail('secretGracePeriodMs', 'must be at most 7d');
  }
  if (raw.role !== undefined) c.role = oneOf('role', raw.role, ['all', 'api', 'worker'] as const);
  if (raw.allowPrivateNetworks !== undefined)
    c.allowPrivateNetworks = onOff('allowPrivateNetworks', raw.allowPrivateNetworks);
  if (raw.allowedCidrs !== undefined) {
    c.allowedCidrs = raw.allowedCidrs
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const cidr of c.allowedCidrs)
      if (!isCidr(cidr)) fail('allowedCidrs', `"${cidr}" is not a CIDR range like 10.0.0.0/8 or fd00::/8`);
  }
  if (raw.logLevel !== undefined) {
    c.logLevel = oneOf('logLevel', raw.logLevel, [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const);
  }
  if (raw.maxRetryAfterMs !== undefined)
    c.maxRetryAfterMs = duration('maxRetryAfterMs', raw.maxRetryAfterMs, 1000);
  if (raw.breakerThreshold !== undefined) {
    c.breakerThreshold = integer('breakerThreshold', raw.breakerThreshold, 0, 1_000_000);
  }
  if (raw.breakerBackoffMs !== undefined) {
    c.breakerBackoffMs = duration('breakerBackoffMs', raw.breakerBackoffMs, 100);
  }
  if (raw.autoDisableAfterMs !== undefined) {
    c.autoDisableAfterMs = duration('autoDisableAfterMs', raw.autoDisableAfterMs, 0, Number.MAX_SAFE_INTEGER);
  }
  Object.assign(c, encryptionKeys(raw));
  if (raw.metricsPort !== undefined) c.metricsPort = integer('metricsPort', raw.metricsPort, 0, 65535);
  if (raw.metricsHost !== undefined)
    c.metricsHost = raw.metricsHost.trim() || fail('metricsHost', 'must not be empty');
  if (raw.metricsPerEndpoint !== undefined)
    c.metricsPerEndpoint = onOff('metricsPerEndpoint', raw.metricsPerEndpoint);
  if (raw.sendTraceparent !== undefined) c.sendTraceparent = onOff('sendTraceparent', raw.sendTraceparent);
  if (raw.publicUrl !== undefined) c.publicUrl = publicUrl(raw.publicUrl);
  if (raw.portalFrameAncestors !== undefined)
    c.portalFrameAncestors = frameAncestors(raw.portalFrameAncestors);
  return c;
}

/** An http(s) origin, maybe with a path prefix (a proxy's), kept without its trailing slash. */
function publicUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    fail('publicUrl', `expected an http(s) URL like https://hooks.example.com, got "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * A CSP source list for `frame-ancestors`: 'self', 'none' or origins such as
 * https://app.example.com and https://*.example.com, space-separated. Nothing
 * that could end the directive (`;`, `,`) or the header passes.
 */
function frameAncestors(text: string): string {
  const sources = text.trim().split(/\s+/).filter(Boolean);
  if (sources.length === 0) fail('portalFrameAncestors', 'must not be empty');
  for (const s of sources) {
    const keyword = s === "'self'" || s === "'none'";
    if (!keyword && !/^(https?:\/\/)?(\*\.)?[a-z0-9.-]+(:(\d+|\*))?$|^https?:$/i.test(s)) {
      fail('portalFrameAncestors', `"${s}" is not 'self', 'none' or an origin like https://app.example.com`);
    }
  }
  if (sources.includes("'none'") && sources.length > 1) fail('portalFrameAncestors', "'none' stands alone");
  return sources.join(' ');
}

/**
 * The key options, checked: well-formed keys (parseKeys names a bad one by its
 * position, never its text), and one source, since which would win is a guess.
 */
export function encryptionKeys(
  raw: Pick<RawConfig, 'encryptionKey' | 'encryptionKeyFile'>,
): Pick<Config, 'encryptionKey' | 'encryptionKeyFile'> {
  if (raw.encryptionKey !== undefined && raw.encryptionKeyFile !== undefined) {
    fail('encryptionKey', `give the keys here or in ${OPTION_NAMES.encryptionKeyFile.flag}, not both`);
  }
  if (raw.encryptionKey !== undefined) {
    const { flag, env } = OPTION_NAMES.encryptionKey;
    parseKeys(raw.encryptionKey, `invalid ${flag} (${env})`);
  }
  return { encryptionKey: raw.encryptionKey ?? null, encryptionKeyFile: raw.encryptionKeyFile ?? null };
}

/** `hookline prune`'s own options as typed (its `--database` is checked by databaseUrl). */
export interface RawPruneOptions {
  olderThan: string;
  batchSize: string;
  pause: string;
  every?: string | undefined;
}

export interface PruneSettings {
  olderThanMs: number;
  batchSize: number;
  pauseMs: number;
  /** Prune on this period instead of once. */
  everyMs: number | null;
}

/**
 * Validates `hookline prune`'s options in the order listed, like loadConfig:
 * CONFIG_INVALID naming the flag and why. The age has no upper bound; the
 * pause and the period set timers, so they are at most MAX_TIMER_MS.
 */
export function loadPruneOptions(raw: RawPruneOptions): PruneSettings {
  const olderThanMs = duration('--older-than', raw.olderThan, 1, Number.POSITIVE_INFINITY, PRUNE_WORDING);
  const batchSize = integer('--batch-size', raw.batchSize, 1, 100_000);
  const pauseMs = duration('--pause', raw.pause, 0, MAX_TIMER_MS, PRUNE_WORDING);
  const everyMs =
    raw.every === undefined ? null : duration('--every', raw.every, 1, MAX_TIMER_MS, PRUNE_WORDING);
  return { olderThanMs, batchSize, pauseMs, everyMs };
}

/** `hookline rotate-encryption-key`'s batching options, checked as prune's are. */
export function loadRotateOptions(raw: { batchSize: string; pause: string }): {
  batchSize: number;
  pauseMs: number;
} {
  return {
    batchSize: integer('--batch-size', raw.batchSize, 1, 10_000),
    pauseMs: duration('--pause', raw.pause, 0, MAX_TIMER_MS, PRUNE_WORDING),
  };
}
