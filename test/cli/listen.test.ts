import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdempotencyGuard, memoryStore, nodeWebhook, type VerifiedWebhook } from '@hookline/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { type RunningCli, runCli, startCli, startTestServer, type TestServer, TOKEN } from './harness.js';

let hl: TestServer;
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function api(server: TestServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * The developer's local receiver, built with @hookline/verify as the docs say:
 * it verifies every request with the listen endpoint's secret and handles each
 * webhook-id once. It learns the secret from the first `hookline listen`.
 */
async function localReceiver() {
  let secret = '';
  const handled: VerifiedWebhook[] = [];
  let handler: ReturnType<typeof nodeWebhook> | null = null;
  const idempotency = createIdempotencyGuard(memoryStore());
  const server = createServer((req, res) => {
    handler ??= nodeWebhook({
      secret,
      idempotency,
      handler: (event) => {
        handled.push(event);
        return { handled: event.id };
      },
    });
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  );
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/webhooks`,
    handled,
    setSecret: (s: string) => {
      secret = s;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
const jsonLines = (cli: RunningCli): any[] =>
  cli.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

beforeAll(async () => {
  // The SSRF guard stays on: the local POST is the CLI's. The second retry is 2 minutes away: only
  // a listen session's reconnect bringing waiting deliveries forward makes them arrive within the test.
  hl = await startTestServer({
    config: { allowPrivateNetworks: false, retrySchedule: [200, 120_000, 120_000] },
  });
  closers.push(() => hl.close());
  expect((await api(hl, 'POST', '/api/v1/app', { name: 'dev', uid: 'dev' })).status).toBe(201);
});

describe('hookline listen', () => {
  it('forwards deliveries to a local receiver, through a restart of the CLI, with the same secret', async () => {
    const receiver = await localReceiver();
    const args = [
      'listen',
      '--app',
      'dev',
      '--forward-to',
      receiver.url,
      '--events',
      'order.paid,order.shipped',
      '--json',
    ];
    let cli = await startCli(args, hl.env);
    await until(() => jsonLines(cli).length >= 1);
    const session = jsonLines(cli)[0];
    expect(session).toMatchObject({
      ready: true,
      uid: 'listen-default',
      url: 'hookline-listen://default',
      filterTypes: ['order.paid', 'order.shipped'],
      secret: expect.stringMatching(/^whsec_/),
    });
    receiver.setSecret(session.secret);
    // The stream is open once the server has the session: wait for its ready event to have been read.
    await new Promise((r) => setTimeout(r, 500));

    const sent: string[] = [];
    const send = async (eventType: string, n: number) => {
      const res = await api(hl, 'POST', '/api/v1/app/dev/msg', { eventType, payload: { n } });
      expect(res.status).toBe(202);
      if (eventType !== 'user.created') sent.push(res.json.id);
      return res.json.id as string;
    };
    await send('order.paid', 1);
    await send('order.shipped', 2);
    await send('user.created', 3); // not in --events: never reaches the listen endpoint
    await until(() => receiver.handled.length >= 2);
    await until(() => jsonLines(cli).length >= 3);
    expect(jsonLines(cli).slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventType: 'order.paid', statusCode: 200, attempt: 1 }),
        expect.objectContaining({ eventType: 'order.shipped', statusCode: 200, attempt: 1 }),
      ]),
    );

    // The CLI dies (no goodbye). Messages sent meanwhile wait and retry on schedule.
    cli.kill('SIGKILL');
    await cli.exited;
    const whileAway = [await send('order.paid', 4), await send('order.shipped', 5)];
    const attemptsOf = async (msg: string) =>
      (await api(hl, 'GET', `/api/v1/app/dev/attempt/msg/${msg}`)).json.data as {
        errorClass: string | null;
        response: string;
      }[];
    for (const msg of whileAway) {
      let attempts: Awaited<ReturnType<typeof attemptsOf>> = [];
      // The first attempt and the first retry fail: nobody listens.
      while (attempts.length < 2) {
        attempts = await attemptsOf(msg);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(attempts[0]).toMatchObject({ errorClass: 'relay' });
      expect(attempts[0]?.response).toContain('no `hookline listen` session is connected');
    }

    // Started again: the same endpoint and secret, and the waiting deliveries flow.
    cli = await startCli(args, hl.env);
    await until(() => jsonLines(cli).length >= 1);
    expect(jsonLines(cli)[0]).toMatchObject({ endpointId: session.endpointId, secret: session.secret });
    await until(() => new Set(receiver.handled.map((e) => e.id)).size >= 4);
    expect(new Set(receiver.handled.map((e) => e.id))).toEqual(new Set(sent));
    expect(receiver.handled.map((e) => (e.payload as { n: number }).n).sort()).toEqual([1, 2, 4, 5]);

    // The server recorded the local answer as the attempt, like any endpoint's (the CLI printed
    // its line before the server stored the report: wait for the record, newest first).
    await until(() => jsonLines(cli).length >= 3);
    let last: Record<string, unknown> = {};
    for (let tries = 0; last.status !== 0 && tries < 600; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 50));
      last = ((await attemptsOf(whileAway[0] ?? ''))[0] ?? {}) as unknown as Record<string, unknown>;
    }
    expect(last).toMatchObject({ status: 0, responseStatusCode: 200, url: 'hookline-listen://default' });
    expect(JSON.parse(String(last.response))).toEqual({ handled: whileAway[0] });

    // Resend works as for any endpoint.
    await api(hl, 'POST', `/api/v1/app/dev/msg/${sent[0]}/endpoint/${session.endpointId}/resend`);
    await until(() => jsonLines(cli).some((l) => l.msgId === sent[0] && l.statusCode === 200));

    // Ctrl-C ends cleanly.
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('prints one line per event for people: time, type, id, local status, duration', async () => {
    const receiver = await localReceiver();
    const cli = await startCli(
      ['listen', '--app', 'dev', '--name', 'people', '--forward-to', receiver.url],
      hl.env,
    );
    await until(() => cli.stderr.some((l) => l.startsWith('Ready.')));
    const secret = cli.stderr.find((l) => l.trim().startsWith('whsec_'))?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret);
    const msg = (
      await api(hl, 'POST', '/api/v1/app/dev/msg', { eventType: 'user.created', payload: { a: 1 } })
    ).json.id as string;
    await until(() => cli.stdout.some((l) => l.includes(msg)));
    const line = cli.stdout.find((l) => l.includes(msg)) ?? '';
    expect(line).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z {2}user\\.created {2}${msg} {2}-> 200 {2}\\d+ ms$`),
    );
    cli.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr.at(-1)).toBe('Stopped.');
  });

  it('is refused clearly by an API-only process, and the SSRF 422 points to it', async () => {
    const apiOnly = await startTestServer({ role: 'api' });
    closers.push(() => apiOnly.close());
    await api(apiOnly, 'POST', '/api/v1/app', { name: 'x', uid: 'x' });
    const res = await runCli(['listen', '--app', 'x', '--forward-to', 'http://localhost:3000/'], {
      env: apiOnly.env,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/needs a server whose API and worker run in one process \(--role all\)/);

    const blocked = await api(hl, 'POST', '/api/v1/app/dev/endpoint', {
      url: 'http://127.0.0.1:3000/webhooks',
    });
    expect(blocked.status).toBe(422);
    expect(blocked.json.detail[0].msg).toContain('hookline listen --forward-to http://localhost:PORT/PATH');
  });
});
