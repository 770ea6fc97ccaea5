import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi, TOKEN } from '../api/harness.js';
import { forEachBackend } from '../helpers/backends.js';
import { until } from '../helpers/until.js';
import { head, parseAnswer, type RawClient, rawClient } from './helpers/raw-client.js';

/**
 * Many hostile clients at once against one API: bodies and heads trickled a
 * byte at a time, sockets that never send a byte, a client that never reads
 * its answer, bytes that are not HTTP, a head over 16 KiB. Each is cut off
 * with the documented answer while ordinary clients are served.
 * test/api/connections.test.ts covers one trickling client of each kind.
 */
const SLOW = 20;

forEachBackend('reliability: slow and trickling API clients, many at once', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(
      backend,
      {},
      false,
      // Short enough for a test to see them fire; the defaults are in src/api/transport.ts.
      {
        headersTimeoutMs: 1500,
        requestTimeoutMs: 2500,
        idleTimeoutMs: 2500,
        keepAliveTimeoutMs: 2000,
        lingerMs: 500,
      },
    );
    appId = (await api.svix.application.create({ name: 'slow' })).id;
    await api.svix.endpoint.create(appId, { url: 'https://example.com/hook' });
  });
  afterAll(() => api.close());

  it('cuts every trickling or silent client off with 408 request_timeout, while the others are served', async () => {
    const clients: { kind: string; client: RawClient }[] = [];
    const timers: NodeJS.Timeout[] = [];
    const add = async (kind: string, start: (c: RawClient) => void) => {
      const client = await rawClient(api.serverUrl);
      start(client);
      clients.push({ kind, client });
    };
    for (let i = 0; i < SLOW; i++) {
      await add('body', (c) => {
        c.socket.write(
          head([
            `POST /api/v1/app/${appId}/msg HTTP/1.1`,
            'Host: x',
            'Content-Type: application/json',
            'Content-Length: 100000',
            `Authorization: Bearer ${TOKEN}`,
          ]),
        );
        timers.push(setInterval(() => c.socket.write(' '), 100));
      });
      await add('head', (c) => {
        c.socket.write(`GET /api/v1/app HTTP/1.1\r\nHost: x\r\n`);
        timers.push(setInterval(() => c.socket.write('X-Slow: 1\r\n'), 100));
      });
      await add('silent', () => {});
    }
    try {
      // Ordinary clients, meanwhile: every one served.
      const statuses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api
            .http('POST', `/api/v1/app/${appId}/msg`, { body: { eventType: 'slow.test', payload: { i } } })
            .then((r) => r.status),
        ),
      );
      expect(statuses).toEqual(Array(20).fill(202));
      await Promise.all(clients.map((c) => c.client.closed));
    } finally {
      for (const t of timers) clearInterval(t);
    }
    for (const { kind, client } of clients) {
      expect(parseAnswer(client.received()), kind).toEqual({
        status: 408,
        json: { code: 'request_timeout', detail: 'the request did not arrive in time' },
      });
      client.socket.destroy();
    }
    const page = await api.http('GET', `/api/v1/app/${appId}/msg?limit=250`);
    expect(page.json.data).toHaveLength(20);
    expect((await api.http('GET', '/api/v1/health', { token: null })).status).toBe(204);
  });

  it('closes a client that never reads a large answer, and keeps serving others', async () => {
    // Pages of 250 messages of ~100 KiB each: far more than the socket buffers hold.
    const big = 'b'.repeat(100 * 1024);
    for (let i = 0; i < 40; i++) {
      const res = await api.http('POST', `/api/v1/app/${appId}/msg`, {
        body: { eventType: 'big.test', payload: { big } },
      });
      expect(res.status).toBe(202);
    }
    // The server's side of each connection, by the client's port: a paused client never sees the close itself.
    const serverSide = new Map<number, Socket>();
    const onConnection = (socket: Socket) => serverSide.set(socket.remotePort ?? 0, socket);
    api.app.server.on('connection', onConnection);
    const readers: Socket[] = [];
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const c = await rawClient(api.serverUrl, { read: false });
        c.socket.write(
          head([
            `GET /api/v1/app/${appId}/msg?limit=250&with_content=true HTTP/1.1`,
            'Host: x',
            `Authorization: Bearer ${TOKEN}`,
          ]),
        );
        readers.push(c.socket);
        await until(() => serverSide.has(c.socket.localPort ?? -1));
        held.push(serverSide.get(c.socket.localPort ?? -1)!);
      }
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () => api.http('GET', `/api/v1/app/${appId}`).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(10).fill(200));
      // Each reader's connection is closed by the server: a bounded page fits the socket buffers, so the
      // answer is out and the connection idles until the keep-alive timeout; one that does not fit stalls
      // until the idle timeout (nothing moves either way). Either way the server lets go.
      await Promise.all(
        held.map((s) => (s.destroyed ? undefined : new Promise((resolve) => s.once('close', resolve)))),
      );
      expect(held.filter((s) => s.destroyed)).toHaveLength(5);
    } finally {
      api.app.server.off('connection', onConnection);
      for (const r of readers) r.destroy();
    }
  });

  it('answers bytes that are not HTTP with 400 bad_request, and a head over 16 KiB with 431, each with its code', async () => {
    const garbage = await rawClient(api.serverUrl);
    garbage.socket.write('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n');
    await garbage.closed;
    expect(parseAnswer(garbage.received())).toEqual({
      status: 400,
      json: { code: 'bad_request', detail: 'malformed HTTP request' },
    });
    const huge = await rawClient(api.serverUrl);
    huge.socket.write(head(['GET /api/v1/app HTTP/1.1', 'Host: x', `X-Big: ${'a'.repeat(20 * 1024)}`]));
    await huge.closed;
    expect(parseAnswer(huge.received())).toEqual({
      status: 431,
      json: { code: 'request_header_too_large', detail: 'the request line and headers are over 16 KiB' },
    });
  });
});
