import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi, TOKEN } from './harness.js';

const run = promisify(execFile);

/**
 * A refused upload is answered and the answer is read: the server half-closes
 * and keeps draining instead of resetting a connection the client is still
 * writing to (RFC 9112 section 9.6). 5 MiB bodies against the 1 MiB default.
 */
// Connection handling happens before any store is touched: one backend is enough here.
forEachBackend(
  'API: a client uploading a body that is refused reads the answer',
  (backend) => {
    const FIVE_MIB = 5 * 1024 * 1024;
    const body = `{"eventType":"big","payload":{"blob":"${'x'.repeat(FIVE_MIB)}"}}`;
    let api: ApiHarness;
    let appId: string;
    let dir: string;
    let file: string;
    beforeAll(async () => {
      api = await startApi(backend);
      appId = (await api.svix.application.create({ name: 'big' })).id;
      dir = mkdtempSync(join(tmpdir(), 'hookline-big-'));
      file = join(dir, 'body.json');
      writeFileSync(file, body);
    });
    afterAll(async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const post = async (dispatcher: Agent, token: string = TOKEN) => {
      const res = await request(`${api.serverUrl}/api/v1/app/${appId}/msg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        dispatcher,
      });
      const json = (await res.body.json()) as { code: string };
      return { status: res.statusCode, code: json.code };
    };
    const curl = async (token: string = TOKEN) => {
      const { stdout } = await run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'POST',
        '-H',
        'content-type: application/json',
        '-H',
        `authorization: Bearer ${token}`,
        '--data-binary',
        `@${file}`,
        `${api.serverUrl}/api/v1/app/${appId}/msg`,
      ]);
      return Number(stdout);
    };
    /** Small authenticated requests running alongside, for load. */
    const background = (dispatcher: Agent, stop: { done: boolean }) =>
      Promise.all(
        [1, 2, 3, 4].map(async () => {
          let served = 0;
          while (!stop.done) {
            const res = await request(`${api.serverUrl}/api/v1/app/${appId}`, {
              headers: { authorization: `Bearer ${TOKEN}` },
              dispatcher,
            });
            await res.body.dump();
            if (res.statusCode === 200) served++;
          }
          return served;
        }),
      );

    it('undici: 413 every time, one at a time', async () => {
      const dispatcher = new Agent();
      try {
        for (let i = 0; i < 20; i++)
          expect(await post(dispatcher)).toEqual({ status: 413, code: 'payload_too_large' });
      } finally {
        await dispatcher.close();
      }
    });

    it('undici: 413 every time, 8 at once, with other requests running', async () => {
      const dispatcher = new Agent({ connections: 16 });
      const stop = { done: false };
      const others = background(dispatcher, stop);
      try {
        for (let round = 0; round < 3; round++) {
          const results = await Promise.all(Array.from({ length: 8 }, () => post(dispatcher)));
          expect(results).toEqual(Array(8).fill({ status: 413, code: 'payload_too_large' }));
        }
      } finally {
        stop.done = true;
      }
      expect((await others).every((n) => n > 0)).toBe(true);
      await dispatcher.close();
    });

    it("fetch (Node's own undici): 413 every time, 8 at once, with other requests running", async () => {
      const dispatcher = new Agent({ connections: 8 });
      const stop = { done: false };
      const others = background(dispatcher, stop);
      const once = async () => {
        const res = await fetch(`${api.serverUrl}/api/v1/app/${appId}/msg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body,
        });
        return { status: res.status, code: ((await res.json()) as { code: string }).code };
      };
      try {
        for (let round = 0; round < 3; round++) {
          const results = await Promise.all(Array.from({ length: 8 }, once));
          expect(results).toEqual(Array(8).fill({ status: 413, code: 'payload_too_large' }));
        }
      } finally {
        stop.done = true;
      }
      await others;
      await dispatcher.close();
    });

    it('undici: a refused token is read as 401 while the body is still uploading', async () => {
      const dispatcher = new Agent();
      try {
        for (let i = 0; i < 10; i++) {
          expect(await post(dispatcher, 'wrong-token-0123456789')).toEqual({
            status: 401,
            code: 'authentication_failed',
          });
        }
      } finally {
        await dispatcher.close();
      }
    });

    it('curl: 413 every time, one at a time and 8 at once under load', async () => {
      for (let i = 0; i < 10; i++) expect(await curl()).toBe(413);
      const dispatcher = new Agent({ connections: 8 });
      const stop = { done: false };
      const others = background(dispatcher, stop);
      try {
        for (let round = 0; round < 2; round++) {
          expect(await Promise.all(Array.from({ length: 8 }, () => curl()))).toEqual(Array(8).fill(413));
        }
        expect(await curl('wrong-token-0123456789')).toBe(401);
      } finally {
        stop.done = true;
      }
      await others;
      await dispatcher.close();
    });
  },
  ['sqlite'],
);
