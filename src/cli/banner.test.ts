import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../config.js';
import { banner, bannerRecords } from './banner.js';
import { formatLogLine } from './log-text.js';

const server = { url: 'http://127.0.0.1:8071', newApiToken: 'hk_generated' };

describe('serve banner', () => {
  it('a worker suggests the health check, the one route it serves, not /api/v1/app', () => {
    const text = banner({ ...DEFAULTS, role: 'worker' }, server);
    expect(text).toContain('Hookline (worker) listening on http://127.0.0.1:8071\n');
    expect(text).toContain('  try: curl http://127.0.0.1:8071/api/v1/health');
    expect(text).not.toContain('/api/v1/app');
  });

  it('says when the SSRF guard is off, or which ranges it lets through', () => {
    expect(banner({ ...DEFAULTS, allowPrivateNetworks: true }, server)).toContain(
      '  SSRF guard: OFF (--allow-private-networks)',
    );
    expect(banner({ ...DEFAULTS, allowedCidrs: ['10.1.0.0/16'] }, server)).toContain(
      '  SSRF guard: on, letting through 10.1.0.0/16 (--allowed-cidrs)',
    );
    expect(banner(DEFAULTS, server)).not.toContain('SSRF');
  });

  it('shows a generated token with what to try, never a configured one', () => {
    const generated = banner(DEFAULTS, server);
    expect(generated).toContain(
      '  API token: hk_generated (generated now and stored as a hash: shown this once, keep it)\n',
    );
    const later = banner(DEFAULTS, { ...server, newApiToken: null });
    expect(later).toContain('API token: the one generated on first start (stored as a hash, not shown again');
    expect(later).not.toContain('try: curl -H');
    expect(generated).toContain('   or: HOOKLINE_API_TOKEN=hk_generated npx hookline app list\n');
    const configured = banner({ ...DEFAULTS, apiToken: 'hk_configured_secret_1234' }, server);
    expect(configured).not.toContain('hk_configured_secret_1234');
    expect(configured).toContain('from --api-token / HOOKLINE_API_TOKEN (not shown)');
  });

  it('as JSON log records when stdout is not a terminal, with the words scripts look for', () => {
    const records = bannerRecords({ ...DEFAULTS, allowPrivateNetworks: true }, server);
    expect(records.map((r) => r.msg)).toEqual([
      'Hookline listening on http://127.0.0.1:8071 (role all); API token: hk_generated (generated now and stored as a hash: shown this once, keep it)',
      'SSRF guard: OFF (--allow-private-networks): deliveries may reach loopback and private networks; for development only',
    ]);
    expect(records[1]?.level).toBe('warn');
    const configured = bannerRecords({ ...DEFAULTS, apiToken: 'hk_configured_secret_1234' }, server);
    expect(JSON.stringify(configured)).not.toContain('hk_configured_secret_1234');
  });

  it('names the metrics listener when --metrics-port gives /metrics one of its own', () => {
    const withMetrics = { ...server, metricsUrl: 'http://127.0.0.1:9464' };
    expect(banner(DEFAULTS, withMetrics)).toContain(
      '  metrics:   http://127.0.0.1:9464/metrics (--metrics-port, no token)\n',
    );
    expect(banner(DEFAULTS, server)).not.toContain('metrics');
    expect(bannerRecords(DEFAULTS, withMetrics).map((r) => r.msg)).toContain(
      'metrics on http://127.0.0.1:9464/metrics (--metrics-port, no token)',
    );
  });

  it('log lines as text for a terminal', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 3, 4, 5),
      pid: 1,
      hostname: 'h',
      msg: 'slow',
      ms: 12,
      url: 'a b',
    });
    expect(formatLogLine(line)).toBe('12:03:04.005 WARN  slow ms=12 url="a b"\n');
  });
});
