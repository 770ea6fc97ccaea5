import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { eventually } from '../api/harness.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Listener, listen } from '../helpers/listener.js';

const TOKEN = 'server-ssrf-token-0123456789';

/**
 * The SSRF guard as `hookline serve` assembles it (src/server.ts): config to
 * guard to sender to worker, with a real database on each backend, observed
 * only through the HTTP API and a loopback listener.
 */
forEachBackend('hookline serve: the SSRF guard end to end', (backend) => {
  let db: TestDatabase;
  let target: Listener;
  let server: Server | undefined;
  beforeEach(async () => {
    db = await backend.database('server_ssrf');
    target = await listen('127.0.0.1');
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await target.close();
    await db.drop();
  });

  async function start(over: Partial<Config>): Promise<Server> {
    server = await startServer(
      {
        ...DEFAULTS,
        databaseUrl: db.url,
        port: 0,
        apiToken: TOKEN,
        pollIntervalMs: 50,
        ...over,
      },
      pino({ level: 'silent' }),
    );
    return server;
  }

  async function call(s: Server, method: 'GET' | 'POST', path: string, body?: unknown) {
    const res = await request(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  /** Creates an app and an endpoint at `url`, sends one message, and returns the endpoint's first attempt. */
  async function firstAttempt(s: Server, url: string) {
    const app = await call(s, 'POST', '/api/v1/app', { name: 'shop' });
    const ep = await call(s, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url });
    expect(ep.status).toBe(201);
    const msg = await call(s, 'POST', `/api/v1/app/${app.json.id}/msg`, {
      eventType: 'payment.succeeded',
      payload: { id: 'pay_1' },
    });
    expect(msg.status).toBe(202);
    const path = `/api/v1/app/${app.json.id}/attempt/endpoint/${ep.json.id}`;
    let attempts: { data: Record<string, unknown>[] } = { data: [] };
    await eventually(async () => {
      attempts = (await call(s, 'GET', path)).json;
      return attempts.data.length > 0;
    }, 15_000);
    return attempts.data[0]!;
  }

  it('by default, a name resolving to loopback is a blocked attempt naming the address', async () => {
    const s = await start({});
    // The API refuses the literal address outright...
    const app = await call(s, 'POST', '/api/v1/app', { name: 'literal' });
    const literal = await call(s, 'POST', `/api/v1/app/${app.json.id}/endpoint`, {
      url: `http://127.0.0.1:${target.port}/hook`,
    });
    expect(literal.status).toBe(422);
    expect(literal.json.detail[0].msg).toContain('127.0.0.1 is a loopback address');

    // ...and a name is judged when the worker connects: localhost resolves to 127.0.0.1 here.
    const attempt = await firstAttempt(s, `http://localhost:${target.port}/hook`);
    expect(attempt).toMatchObject({ statusText: 'fail', responseStatusCode: 0, errorClass: 'blocked' });
    expect(attempt.response).toMatch(
      /refused to connect to (127\.0\.0\.1|::1) \(localhost\): loopback address/,
    );
    expect(target.connections).toBe(0);
  });

  it('--allowed-cidrs lets the chosen range through', async () => {
    const s = await start({ allowedCidrs: ['127.0.0.1/32', '::1/128'] });
    const attempt = await firstAttempt(s, `http://localhost:${target.port}/hook`);
    expect(attempt).toMatchObject({ statusText: 'success', responseStatusCode: 200, errorClass: null });
    expect(target.requests).toHaveLength(1);
  });

  it('--allow-private-networks turns the guard off', async () => {
    const s = await start({ allowPrivateNetworks: true });
    const attempt = await firstAttempt(s, `http://127.0.0.1:${target.port}/hook`);
    expect(attempt).toMatchObject({ statusText: 'success', responseStatusCode: 200 });
    expect(target.requests).toHaveLength(1);
  });
});
