import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Server, startServer } from '../../src/server.js';
import { forEachBackend } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { api, sample, serverConfig, TOKEN } from './scrape.js';

/**
 * GET /metrics of a real server (its sender thread, a real store, real
 * receivers): attempts counted by outcome and error class, their durations
 * and first-attempt lag, requests by route pattern, the queue gauges read
 * from the store; behind the token on the API port, or on a port of its own.
 */
forEachBackend('GET /metrics', (backend) => {
  let server: Server;
  let ok: Receiver;
  let broken: Receiver;
  beforeEach(async () => {
    ok = await startReceiver();
    broken = await startReceiver(() => ({ status: 500, body: 'down' }));
  });
  afterEach(async () => {
    await server?.stop();
    await Promise.all([ok.close(), broken.close()]);
  });

  async function start(over: Parameters<typeof serverConfig>[1] = {}) {
    const db = await backend.database('metrics');
    // No retries: a failed attempt is the delivery's last (exhausted).
    server = await startServer(
      serverConfig(db.url, { retrySchedule: [], ...over }),
      pino({ level: 'silent' }),
    );
    return server;
  }

  async function deliverOneToEach(base: string): Promise<{ good: string; bad: string }> {
    const app = (await (await api(base, 'POST', '/api/v1/app', { name: 'shop' })).json()) as { id: string };
    const good = (await (
      await api(base, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: `${ok.url}/hook` })
    ).json()) as { id: string };
    const bad = (await (
      await api(base, 'POST', `/api/v1/app/${app.id}/endpoint`, { url: `${broken.url}/hook` })
    ).json()) as { id: string };
    const accepted = await api(base, 'POST', `/api/v1/app/${app.id}/msg`, {
      eventType: 'order.paid',
      payload: { order: 1 },
    });
    expect(accepted.status).toBe(202);
    await Promise.all([ok.waitFor(1), broken.waitFor(1)]);
    return { good: good.id, bad: bad.id };
  }

  const scrape = async (url: string, token = true) => {
    const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${TOKEN}` } } : {});
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  /** Scrapes until `ready` holds: results reach the registry once the worker has them back from its thread. */
  async function scrapeUntil(url: string, ready: (text: string) => boolean): Promise<string> {
    for (;;) {
      const { text } = await scrape(url);
      if (ready(text)) return text;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const attempts = (text: string, outcome: string, errorClass: string) =>
    sample(text, 'hookline_delivery_attempts_total', { outcome, error_class: errorClass });

  it('counts what the sender thread delivered, by outcome and error class, behind the API token', async () => {
    const { url, metricsUrl } = await start();
    expect(metricsUrl).toBeNull();
    const refused = await scrape(url, false);
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain('hookline_');

    await deliverOneToEach(url);
    const text = await scrapeUntil(
      url,
      (t) => attempts(t, 'success', 'none') === 1 && attempts(t, 'exhausted', 'http') === 1,
    );
    expect(attempts(text, 'retry', 'http')).toBeUndefined();
    // Durations measured on the sender thread, one per attempt; lag once per first attempt.
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_count', { result: 'success' })).toBe(1);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_count', { result: 'failed' })).toBe(1);
    expect(sample(text, 'hookline_delivery_first_attempt_lag_seconds_count')).toBe(2);
    // Routes by pattern, never by URL (no ids in labels).
    expect(
      sample(text, 'hookline_http_requests_total', {
        method: 'POST',
        route: '/api/v1/app/:app_id/msg',
        status: '202',
      }),
    ).toBe(1);
    expect(
      sample(text, 'hookline_http_requests_total', {
        method: 'POST',
        route: '/api/v1/app/:app_id/endpoint',
        status: '201',
      }),
    ).toBe(2);
    expect(text).not.toMatch(/(app|ep|msg)_[0-9A-Za-z]{10,}/);
    // No per-endpoint series unless asked for.
    expect(text).not.toContain('hookline_endpoint_attempts_total{');
    // Store calls timed by operation.
    expect(
      sample(text, 'hookline_store_operation_duration_seconds_count', { operation: 'messages.create' }),
    ).toBe(1);
  });

  it('reads queue depth, the oldest due delivery and endpoint states from the store at each scrape', async () => {
    const { url } = await start({ breakerThreshold: 1 });
    await deliverOneToEach(url);
    // The failure opened the broken endpoint's breaker and its delivery failed for good.
    const text = await scrapeUntil(
      url,
      (t) => sample(t, 'hookline_queue_deliveries', { state: 'failed' }) === 1,
    );
    for (const state of ['due', 'scheduled', 'in_flight', 'parked']) {
      expect(sample(text, 'hookline_queue_deliveries', { state }), state).toBe(0);
    }
    expect(sample(text, 'hookline_queue_oldest_due_age_seconds')).toBe(0);
    expect(sample(text, 'hookline_endpoints', { state: 'breaker_open' })).toBe(1);
    expect(sample(text, 'hookline_endpoints', { state: 'disabled' })).toBe(0);
    const pool = sample(text, 'hookline_db_pool_connections', { state: 'total' });
    if (backend.name === 'postgres') expect(pool).toBeGreaterThan(0);
    else expect(pool).toBeUndefined();
  });

  it('serves /metrics on --metrics-port without the token, and then not on the API port', async () => {
    const { url, metricsUrl } = await start({ metricsPort: 0, metricsPerEndpoint: true });
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { good, bad } = await deliverOneToEach(url);
    const text = await scrapeUntil(
      metricsUrl as string,
      (t) => attempts(t, 'exhausted', 'http') === 1 && attempts(t, 'success', 'none') === 1,
    );
    const own = await scrape(metricsUrl as string, false);
    expect(own.status).toBe(200);
    expect(own.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // Opted in: one series per endpoint and outcome.
    expect(sample(text, 'hookline_endpoint_attempts_total', { endpoint_id: good, outcome: 'success' })).toBe(
      1,
    );
    expect(sample(text, 'hookline_endpoint_attempts_total', { endpoint_id: bad, outcome: 'exhausted' })).toBe(
      1,
    );
    expect((await fetch(`${metricsUrl}/api/v1/health`)).status).toBe(404);
    expect((await scrape(url)).status).toBe(404);
  });
});

forEachBackend(
  'GET /metrics of a worker-only process',
  (backend) => {
    let server: Server;
    afterEach(async () => {
      await server?.stop();
    });
    it('is served beside the health check (its deliveries are counted there), behind the token', async () => {
      const db = await backend.database('metrics-worker');
      server = await startServer(serverConfig(db.url, { role: 'worker' }), pino({ level: 'silent' }));
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE hookline_delivery_attempts_total counter');
      expect((await api(server.url, 'GET', '/api/v1/app')).status).toBe(404);
    });
  },
  ['sqlite'],
);
