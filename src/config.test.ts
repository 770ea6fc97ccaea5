import { describe, expect, it } from 'vitest';
import { loadConfig, loadPruneOptions, rawFromEnv } from './config.js';

describe('config', () => {
  it('defaults match the documented table', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8071,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./hookline.db',
      apiToken: null,
      requestTimeoutMs: 15_000,
      concurrency: 64,
      maxBodyBytes: 1024 * 1024,
      allowPrivateNetworks: false,
    });
    expect(c.retrySchedule).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('maps HOOKLINE_* variables onto settings', () => {
    const c = loadConfig(
      rawFromEnv({
        HOOKLINE_PORT: '9000',
        HOOKLINE_DATABASE_URL: 'sqlite::memory:',
        HOOKLINE_RETRY_SCHEDULE: '1s,10s',
        HOOKLINE_REQUEST_TIMEOUT: '2s',
        HOOKLINE_ALLOW_PRIVATE_NETWORKS: '1',
        HOOKLINE_ALLOWED_CIDRS: '10.0.0.0/8, fd00::/8',
      }),
    );
    expect(c).toMatchObject({
      port: 9000,
      databaseUrl: 'sqlite::memory:',
      retrySchedule: [1000, 10_000],
      requestTimeoutMs: 2000,
      allowPrivateNetworks: true,
      allowedCidrs: ['10.0.0.0/8', 'fd00::/8'],
    });
  });

  it.each([
    [{ port: '70000' }, /--port \(HOOKLINE_PORT\).*0 to 65535/],
    [{ port: 'abc' }, /--port.*"abc"/],
    [{ concurrency: '0' }, /--concurrency.*1 to 10000/],
    [{ retrySchedule: '5s,soon' }, /--retry-schedule.*"5s,soon"/],
    [{ requestTimeoutMs: '5 parsecs' }, /--request-timeout.*duration/],
    [{ databaseUrl: 'mysql://x' }, /--database \(HOOKLINE_DATABASE_URL\)/],
    [{ apiToken: 'short' }, /--api-token.*16 characters/],
    [{ role: 'boss' }, /--role.*all, api, worker/],
    [{ allowedCidrs: '10.0.0.0/40' }, /--allowed-cidrs.*CIDR/],
    [{ maxBodyBytes: 'huge' }, /--max-body-size/],
    [{ secretGracePeriodMs: '8d' }, /--secret-grace-period.*at most 7d/],
    [{ maxRetryAfterMs: '10ms' }, /--max-retry-after.*at least 1000ms/],
    [{ breakerThreshold: '-1' }, /--breaker-threshold.*integer/],
    [{ autoDisableAfterMs: 'never' }, /--auto-disable-after.*duration/],
    // Timers overflow past 2^31-1 ms and fire at once: 30d would fail every delivery or spin.
    [{ requestTimeoutMs: '30d' }, /--request-timeout.*at most 24d/],
    [{ pollIntervalMs: '30d' }, /--poll-interval.*at most 24d/],
    [{ leaseMs: '100d' }, /--lease.*at most 24d/],
    [{ apiToken: '                    ' }, /--api-token.*whitespace/],
    [{ databaseUrl: 'postgres://u:p@[bad' }, /--database.*not a valid URL/],
    [{ metricsPort: '65536' }, /--metrics-port \(HOOKLINE_METRICS_PORT\).*0 to 65535/],
    [{ metricsHost: '  ' }, /--metrics-host.*must not be empty/],
    [{ metricsPerEndpoint: 'yes' }, /--metrics-per-endpoint.*1, true, 0, false/],
    [{ sendTraceparent: 'on' }, /--send-traceparent.*1, true, 0, false/],
  ])('rejects %o naming the option and why', (raw, message) => {
    expect(() => loadConfig(raw)).toThrow(message);
    try {
      loadConfig(raw);
    } catch (err) {
      expect((err as { code: string }).code).toBe('CONFIG_INVALID');
    }
  });
});

describe('observability settings', () => {
  it('default to /metrics on the API port, a loopback metrics listener when asked, and nothing per endpoint', () => {
    expect(loadConfig({})).toMatchObject({
      metricsPort: null,
      metricsHost: '127.0.0.1',
      metricsPerEndpoint: false,
      sendTraceparent: false,
    });
    const c = loadConfig(
      rawFromEnv({
        HOOKLINE_METRICS_PORT: '9464',
        HOOKLINE_METRICS_HOST: '0.0.0.0',
        HOOKLINE_METRICS_PER_ENDPOINT: 'true',
        HOOKLINE_SEND_TRACEPARENT: '1',
      }),
    );
    expect(c).toMatchObject({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      metricsPerEndpoint: true,
      sendTraceparent: true,
    });
  });
});

describe('endpoint protection settings', () => {
  it('default to a 5-failure breaker with a 30s first probe, 5d auto-disable and a 1h Retry-After cap', () => {
    expect(loadConfig({})).toMatchObject({
      breakerThreshold: 5,
      breakerBackoffMs: 30_000,
      autoDisableAfterMs: 5 * 86_400_000,
      maxRetryAfterMs: 3_600_000,
    });
  });
  it('read durations and counts; 0 turns the breaker and auto-disable off', () => {
    expect(
      loadConfig({
        breakerThreshold: '0',
        autoDisableAfterMs: '0',
        breakerBackoffMs: '5s',
        maxRetryAfterMs: '10m',
      }),
    ).toMatchObject({
      breakerThreshold: 0,
      autoDisableAfterMs: 0,
      breakerBackoffMs: 5000,
      maxRetryAfterMs: 600_000,
    });
  });
});

describe('prune options', () => {
  const ok = { olderThan: '30d', batchSize: '1000', pause: '0ms' };

  it('read an age, a batch size, a pause that may be 0 and an optional period', () => {
    expect(loadPruneOptions(ok)).toEqual({
      olderThanMs: 30 * 86_400_000,
      batchSize: 1000,
      pauseMs: 0,
      everyMs: null,
    });
    expect(loadPruneOptions({ olderThan: '90m', batchSize: '7', pause: '100ms', every: '1h' })).toEqual({
      olderThanMs: 5_400_000,
      batchSize: 7,
      pauseMs: 100,
      everyMs: 3_600_000,
    });
    // An age is not a timer: it may exceed what a timer holds.
    expect(loadPruneOptions({ ...ok, olderThan: '400d' }).olderThanMs).toBe(400 * 86_400_000);
  });

  it.each([
    [{ olderThan: 'soon' }, 'invalid --older-than: expected a duration like 30d, 12h or 90m, got "soon"'],
    [{ olderThan: '0' }, 'invalid --older-than: expected a duration like 30d, 12h or 90m, got "0"'],
    [{ batchSize: '0' }, 'invalid --batch-size: expected an integer from 1 to 100000, got "0"'],
    [{ batchSize: '100001' }, 'invalid --batch-size: expected an integer from 1 to 100000, got "100001"'],
    [{ batchSize: '1.5' }, 'invalid --batch-size: expected an integer from 1 to 100000, got "1.5"'],
    [{ pause: 'x' }, 'invalid --pause: expected a duration like 30d, 12h or 90m, got "x"'],
    [{ pause: '25d' }, 'invalid --pause: must be at most 24d'],
    [{ every: '0s' }, 'invalid --every: expected a duration like 30d, 12h or 90m, got "0s"'],
    [{ every: '30d' }, 'invalid --every: must be at most 24d'],
  ])('refuse %o with the message prune has always given', (over, message) => {
    expect(() => loadPruneOptions({ ...ok, ...over })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message }),
    );
  });
});
