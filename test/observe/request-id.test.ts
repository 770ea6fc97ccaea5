import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Server, startServer } from '../../src/server.js';
import { api, serverConfig, TOKEN } from './scrape.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every answer names its request id, and the JSON log lines made while answering carry it. */
describe('request ids', () => {
  let server: Server;
  let lines: Record<string, unknown>[];
  beforeEach(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startServer(serverConfig('sqlite::memory:'), pino({ level: 'debug' }, sink));
  });
  afterEach(async () => {
    await server.stop();
  });

  const logged = (id: string) => lines.filter((l) => l.reqId === id);

  it("keeps a caller's sane x-request-id, answers with it and logs under it", async () => {
    const res = await fetch(`${server.url}/api/v1/app`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'edge-7f3a.42' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('edge-7f3a.42');
    expect(logged('edge-7f3a.42')).toEqual([
      expect.objectContaining({
        msg: 'request answered',
        route: '/api/v1/app',
        statusCode: 200,
        method: 'GET',
      }),
    ]);
  });

  it('makes one up when none is sent or the one sent is not sane, refused requests included', async () => {
    const plain = await api(server.url, 'GET', '/api/v1/app');
    const generated = plain.headers.get('x-request-id') ?? '';
    expect(generated).toMatch(UUID);
    expect(logged(generated)).toHaveLength(1);

    for (const bad of ['has spaces in it', 'x'.repeat(129), 'quote"d']) {
      const res = await fetch(`${server.url}/api/v1/app`, { headers: { 'x-request-id': bad } });
      expect(res.status).toBe(401);
      const id = res.headers.get('x-request-id') ?? '';
      expect(id).toMatch(UUID);
      expect(logged(id)).toEqual([expect.objectContaining({ statusCode: 401 })]);
    }
    expect(JSON.stringify(lines)).not.toContain('has spaces in it');
  });
});
