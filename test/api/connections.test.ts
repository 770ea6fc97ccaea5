import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi, TOKEN } from './harness.js';

/** A raw client socket that collects what the server sends until it closes. */
interface RawClient {
  socket: Socket;
  received(): string;
  /** Resolves when the server has closed the connection (end or reset). */
  closed: Promise<void>;
}

async function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', () => resolve());
  });
  return { socket, received: () => text, closed };
}

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

// Connection handling happens before any store is touched: one backend is enough here.
forEachBackend(
  'API connections: a stranger cannot hold the process',
  (backend) => {
    let api: ApiHarness;
    let appId: string;
    beforeAll(async () => {
      api = await startApi(
        backend,
        { maxBodyBytes: 4096 },
        false,
        // Short enough that a test sees them fire; the defaults are in transport.ts.
        { headersTimeoutMs: 1000, requestTimeoutMs: 1500, lingerMs: 1000 },
      );
      appId = (await api.svix.application.create({ name: 'conn' })).id;
    });
    afterAll(() => api.close());

    it.each([
      ['no token', '/api/v1/app/APP/msg', false, 401, 'authentication_failed'],
      ['an unknown route', '/api/v1/nowhere', true, 404, 'not_found'],
      ['a body over the limit', '/api/v1/app/APP/msg', true, 413, 'payload_too_large'],
      ['a body that is not JSON', '/api/v1/app/APP/msg', true, 415, 'unsupported_media_type'],
    ])(
      'answers a request refused for %s before reading its 100 MB body, with Connection: close, then closes',
      async (_why, path, withToken, status, code) => {
        const client = await rawClient(api.serverUrl);
        client.socket.write(
          head([
            `POST ${path.replace('APP', appId)} HTTP/1.1`,
            'Host: x',
            `Content-Type: ${status === 415 ? 'text/plain' : 'application/json'}`,
            `Content-Length: ${100 * 1024 * 1024}`,
            ...(withToken ? [`Authorization: Bearer ${TOKEN}`] : []),
          ]),
        );
        client.socket.write('{"eventType":"a","payload":{"x":"');
        await client.closed;
        const text = client.received();
        expect(statusOf(text)).toBe(status);
        expect(text.toLowerCase()).toContain('connection: close');
        expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).code).toBe(code);
        client.socket.destroy();
      },
    );

    it('cuts a body that trickles past the request timeout (408), and keeps serving others', async () => {
      const client = await rawClient(api.serverUrl);
      client.socket.write(
        head([
          `POST /api/v1/app/${appId}/msg HTTP/1.1`,
          'Host: x',
          'Content-Type: application/json',
          'Content-Length: 2000',
          `Authorization: Bearer ${TOKEN}`,
        ]),
      );
      const trickle = setInterval(() => client.socket.write(' '), 100);
      try {
        await client.closed;
      } finally {
        clearInterval(trickle);
      }
      expect(statusOf(client.received())).toBe(408);
      expect((await api.http('GET', '/api/v1/health', { token: null })).status).toBe(204);
      client.socket.destroy();
    });

    it('cuts a request head that never ends (408)', async () => {
      const client = await rawClient(api.serverUrl);
      client.socket.write(`GET /api/v1/app HTTP/1.1\r\nHost: x\r\n`);
      const trickle = setInterval(() => client.socket.write('X-Slow: 1\r\n'), 100);
      try {
        await client.closed;
      } finally {
        clearInterval(trickle);
      }
      expect(statusOf(client.received())).toBe(408);
      client.socket.destroy();
    });

    it('keeps a connection alive after a refusal whose body was read', async () => {
      const client = await rawClient(api.serverUrl);
      const body = '{"eventType":"x"}';
      client.socket.write(
        `${head([`POST /api/v1/app/${appId}/msg HTTP/1.1`, 'Host: x', 'Content-Type: application/json', `Content-Length: ${body.length}`, `Authorization: Bearer ${TOKEN}`])}${body}`,
      );
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (client.received().includes('\r\n\r\n{')) {
            clearInterval(t);
            resolve();
          }
        }, 5);
      });
      expect(statusOf(client.received())).toBe(422);
      expect(client.received().toLowerCase()).not.toContain('connection: close');
      client.socket.write(head(['GET /api/v1/health HTTP/1.1', 'Host: x']));
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (client.received().includes('204 No Content')) {
            clearInterval(t);
            resolve();
          }
        }, 5);
      });
      client.socket.destroy();
    });
  },
  ['sqlite'],
);

forEachBackend(
  'API connections: authentication comes first, whatever the request looks like',
  (backend) => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend);
    });
    afterAll(() => api.close());

    const long = 'a'.repeat(1100);
    it.each([
      ['a path parameter over 1,024 characters', `/api/v1/app/${long}`],
      ['a long parameter on a nested route', `/api/v1/app/${long}/endpoint/${long}/secret`],
      ['a malformed %-escape', '/api/v1/app/%E0%A4%A'],
      ['an unknown route', '/api/v1/secret-admin'],
      ['an unknown route with a long segment', `/api/v1/nothing/${long}`],
    ])('401 without a token for %s', async (_what, path) => {
      const res = await api.http('GET', path, { token: null });
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('authentication_failed');
      const wrong = await api.http('GET', path, { token: 'wrong-token-0123456789' });
      expect(wrong.status).toBe(401);
    });

    it('with the token, an over-long id is simply not found (404 not_found, the path not echoed)', async () => {
      const res = await api.http('GET', `/api/v1/app/${long}`);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('not_found');
      expect(res.text).not.toContain(long);
    });

    it('with the token, a malformed %-escape is a 400 bad_request', async () => {
      const res = await api.http('GET', '/api/v1/app/%E0%A4%A');
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('bad_request');
    });
  },
  ['sqlite'],
);

forEachBackend(
  'API connections: a cap on open connections',
  (backend) => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi(backend, { maxConnections: 3 });
    });
    afterAll(() => api.close());

    it('closes connections beyond the cap as they arrive, and serves again once some close', async () => {
      const held = await Promise.all([1, 2, 3].map(() => rawClient(api.serverUrl)));
      // Each held socket is known to the server once it answered a request on it.
      for (const client of held) {
        client.socket.write(head(['GET /api/v1/health HTTP/1.1', 'Host: x']));
      }
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (held.every((c) => c.received().includes('204'))) {
            clearInterval(t);
            resolve();
          }
        }, 5);
      });
      const extra = await rawClient(api.serverUrl);
      extra.socket.write(head(['GET /api/v1/health HTTP/1.1', 'Host: x']));
      await extra.closed;
      expect(extra.received()).toBe('');
      for (const client of held) client.socket.destroy();
      await Promise.all(held.map((c) => c.closed));
      // The server counts a connection gone once it saw the close; poll until it did.
      for (;;) {
        const res = await request(`${api.serverUrl}/api/v1/health`, { reset: true }).catch(() => null);
        if (res) {
          await res.body.dump();
          expect(res.statusCode).toBe(204);
          break;
        }
      }
    });
  },
  ['sqlite'],
);
