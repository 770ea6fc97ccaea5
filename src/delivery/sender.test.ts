import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../test/helpers/receiver.js';
import { BLOCKED_CODE } from './classify.js';
import { createSender, MAX_RESPONSE_BYTES, type Sender } from './sender.js';

const body = JSON.stringify({ hello: 'world' });
const headers = { 'content-type': 'application/json' };

async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('sender', () => {
  let receiver: Receiver;
  let sender: Sender;
  beforeAll(async () => {
    receiver = await startReceiver();
    sender = createSender({ timeoutMs: 1000 });
  });
  afterAll(async () => {
    await sender.close();
    await receiver.close();
  });

  it('POSTs the body and headers and reports a 2xx as no error', async () => {
    receiver.enqueue({ status: 204 });
    const before = receiver.requests.length;
    const res = await sender.send({ url: `${receiver.url}/hook?x=1`, headers, body });
    expect(res).toMatchObject({ statusCode: 204, errorClass: null, body: '' });
    expect(res.durationMs).toBeGreaterThanOrEqual(0);
    const req = receiver.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook?x=1');
    expect(req.body).toBe(body);
    expect(req.headers['content-type']).toBe('application/json');
  });

  it('reports non-2xx as http with the response body and Retry-After', async () => {
    receiver.enqueue({ status: 503, body: 'busy', headers: { 'retry-after': '7' } });
    const res = await sender.send({ url: receiver.url, headers, body });
    expect(res).toMatchObject({ statusCode: 503, errorClass: 'http', body: 'busy', retryAfter: '7' });
  });

  it('does not follow redirects', async () => {
    const target = await startReceiver();
    try {
      receiver.enqueue({ status: 307, headers: { location: `${target.url}/elsewhere` }, body: 'moved' });
      const res = await sender.send({ url: receiver.url, headers, body });
      expect(res).toMatchObject({ statusCode: 307, errorClass: 'redirect', body: 'moved' });
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('keeps only the first 4 KiB of a large response body', async () => {
    receiver.enqueue({ status: 200, body: 'a'.repeat(5 * 1024 * 1024) });
    const res = await sender.send({ url: receiver.url, headers, body });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('a'.repeat(MAX_RESPONSE_BYTES));
  });

  it('does not cut a multi-byte character in half', async () => {
    // 4095 ASCII bytes then a 3-byte character straddling the 4 KiB limit.
    receiver.enqueue({ status: 500, body: `${'b'.repeat(MAX_RESPONSE_BYTES - 1)}€€` });
    const res = await sender.send({ url: receiver.url, headers, body });
    expect(res.body).toBe('b'.repeat(MAX_RESPONSE_BYTES - 1));
    expect(Buffer.byteLength(res.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  it('classifies a refused connection as connect', async () => {
    const res = await sender.send({ url: `http://127.0.0.1:${await closedPort()}/`, headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'connect' });
    expect(res.body).toContain('ECONNREFUSED');
  });

  it('classifies a connection closed without a response as connect', async () => {
    receiver.enqueue({ action: 'destroy' });
    const res = await sender.send({ url: receiver.url, headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'connect' });
  });

  it('classifies a receiver that never answers as timeout', async () => {
    receiver.enqueue({ action: 'hang' });
    const res = await sender.send({ url: receiver.url, headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'timeout' });
  });

  it('bounds a body that trickles forever by the request deadline', async () => {
    const trickle = createNetServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
        const t = setInterval(() => socket.write('1\r\nx\r\n'), 100);
        socket.on('close', () => clearInterval(t));
        socket.on('error', () => clearInterval(t));
      });
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    try {
      const { port } = trickle.address() as AddressInfo;
      const res = await sender.send({ url: `http://127.0.0.1:${port}/`, headers, body });
      // The rule (README): the status arrived within the deadline, so it decides
      // (a 2xx is a success); the body is cut at the deadline and says why.
      expect(res).toMatchObject({ statusCode: 200, errorClass: null });
      expect(res.body).toContain('unreadable');
      expect(res.body).toContain('HOOKLINE_DEADLINE');
    } finally {
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });

  it('classifies a response whose headers overflow as headers', async () => {
    const huge = createNetServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(64 * 1024)}\r\ncontent-length: 0\r\n\r\n`);
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => huge.listen(0, '127.0.0.1', r));
    try {
      const { port } = huge.address() as AddressInfo;
      const res = await sender.send({ url: `http://127.0.0.1:${port}/`, headers, body });
      expect(res).toMatchObject({ statusCode: 0, errorClass: 'headers' });
      expect(res.body).toContain('UND_ERR_HEADERS_OVERFLOW');
    } finally {
      await new Promise<void>((r) => huge.close(() => r()));
    }
  });

  it('classifies lookup failures as dns and guard refusals as blocked', async () => {
    const failing =
      (code: string): LookupFunction =>
      (hostname, _options, callback) =>
        callback(Object.assign(new Error(`${code} ${hostname}`), { code }), '', 4);
    for (const [code, expected] of [
      ['ENOTFOUND', 'dns'],
      ['EAI_AGAIN', 'dns'],
      [BLOCKED_CODE, 'blocked'],
    ] as const) {
      const guarded = createSender({ timeoutMs: 1000, lookup: failing(code) });
      try {
        const res = await guarded.send({ url: 'http://hooks.example.test/', headers, body });
        expect(res).toMatchObject({ statusCode: 0, errorClass: expected });
      } finally {
        await guarded.close();
      }
    }
  });

  it('connects to the address the lookup returned', async () => {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const guarded = createSender({ timeoutMs: 1000, lookup: pinned });
    try {
      receiver.enqueue({ status: 202 });
      const res = await guarded.send({ url: `http://hooks.example.test:${receiver.port}/`, headers, body });
      expect(res).toMatchObject({ statusCode: 202, errorClass: null });
    } finally {
      await guarded.close();
    }
  });

  it('classifies https to a plain HTTP server as tls', async () => {
    const res = await sender.send({ url: `https://127.0.0.1:${receiver.port}/`, headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'tls' });
  });

  it('classifies an untrusted certificate as tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=localhost',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
    } catch {
      return; // no openssl binary: the plain-HTTP case above still covers tls
    }
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await sender.send({ url: `https://localhost:${port}/`, headers, body });
      expect(res).toMatchObject({ statusCode: 0, errorClass: 'tls' });
      expect(res.body).toMatch(/self[- ]signed/i);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports the final status after an informational 1xx, with its body', async () => {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('data', () =>
        socket.write(
          'HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n' +
            'HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\nRetry-After: 7\r\n\r\ndone',
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await sender.send({ url: `http://127.0.0.1:${port}/`, headers, body });
      expect(res).toMatchObject({ statusCode: 202, body: 'done', errorClass: null, retryAfter: '7' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports a header value undici refuses to send as other, without throwing', async () => {
    const res = await sender.send({ url: receiver.url, headers: { ...headers, 'x-bad': 'a\r\nb: c' }, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'other' });
    expect(res.body).toMatch(/header/i);
  });

  it('reports an invalid URL as other without throwing', async () => {
    const res = await sender.send({ url: 'not a url', headers, body });
    expect(res).toMatchObject({ statusCode: 0, errorClass: 'other' });
  });
});
