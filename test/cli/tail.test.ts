import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvents } from '../../src/cli/event-stream.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { until } from '../helpers/until.js';
import { json, runCli, startCli, startTestServer, type TestServer, TOKEN } from './harness.js';

let hl: TestServer;
let receiver: Receiver;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${hl.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const send = (eventType: string, id: string) =>
  api('POST', '/api/v1/app/tail-app/msg', { eventType, payload: { id } });

/** JSON lines printed so far that parse (the CLI's --json output). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
const parsed = (lines: string[]): any[] => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

beforeAll(async () => {
  hl = await startTestServer();
  // 500 for payloads whose id starts with "bad", 200 otherwise.
  receiver = await startReceiver((req) =>
    req.body.includes('"bad') ? { status: 500, body: 'no' } : { status: 200 },
  );
  expect((await api('POST', '/api/v1/app', { name: 'tail', uid: 'tail-app' })).status).toBe(201);
  for (const uid of ['one', 'two']) {
    const res = await api('POST', '/api/v1/app/tail-app/endpoint', { uid, url: `${receiver.url}/${uid}` });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await hl?.close();
  await receiver?.close();
});

describe('hookline tail', () => {
  it('prints attempts as they happen, one JSON object per line, filtered by endpoint, type and failure', async () => {
    const all = await startCli(['tail', '--app', 'tail-app', '--json'], hl.env);
    const failedAtOne = await startCli(
      ['tail', '--app', 'tail-app', '--endpoint', 'one', '--failed', '--event-type', 'order.paid', '--json'],
      hl.env,
    );
    const people = await startCli(['tail', '--app', 'tail-app'], hl.env);
    await until(() =>
      [all, failedAtOne, people].every((c) => c.stderr.includes('waiting for attempts (Ctrl-C to stop)')),
    );
    // The streams are open once each has printed its first line; give the server a poll to take its start point.
    await new Promise((r) => setTimeout(r, 700));

    await send('order.paid', 'good-1');
    await send('order.paid', 'bad-1');
    await send('order.refunded', 'bad-2');
    await until(() => parsed(all.stdout).length >= 6);
    await until(() => parsed(failedAtOne.stdout).length >= 1);
    await until(() => people.stdout.filter((l) => l.includes('  ')).length >= 6);

    const attempts = parsed(all.stdout);
    expect(attempts).toHaveLength(6);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(6);
    for (const a of attempts) {
      expect(a).toMatchObject({
        appId: expect.stringMatching(/^app_/),
        msgId: expect.stringMatching(/^msg_/),
      });
      expect(['order.paid', 'order.refunded']).toContain(a.eventType);
    }
    const failures = attempts.filter((a) => a.statusText === 'fail');
    expect(failures).toHaveLength(4);
    expect(failures.every((a) => a.responseStatusCode === 500 && a.errorClass === 'http')).toBe(true);

    // Only bad-1 at endpoint "one" (order.paid, failed).
    await new Promise((r) => setTimeout(r, 700));
    const filtered = parsed(failedAtOne.stdout);
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toMatchObject({
      eventType: 'order.paid',
      statusText: 'fail',
      responseStatusCode: 500,
    });
    expect(filtered[0].url).toBe(`${receiver.url}/one`);

    // People get a line with the time, status, code, duration, endpoint, event type, message and error class.
    const line = people.stdout.find((l) => l.includes('order.refunded'));
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\dT\S+Z {2}fail {5}500 +\d+ ms {2}ep_\S+ {2}order\.refunded {2}msg_\S+ {2}http$/,
    );

    for (const c of [all, failedAtOne, people]) c.kill('SIGINT');
    expect(await Promise.all([all.exited, failedAtOne.exited, people.exited])).toEqual([0, 0, 0]);
  });

  it('resumes after Last-Event-ID with what was recorded meanwhile, each attempt once', async () => {
    const before = await api('GET', '/api/v1/app/tail-app/attempt/endpoint/two');
    const newest = before.json.data[0].id as string;
    const away = (await send('order.paid', 'good-while-away')).json.id as string;
    await until(() => receiver.requests.some((r) => r.body.includes('good-while-away') && r.url === '/two'));
    await new Promise((r) => setTimeout(r, 300)); // recorded (group commit)

    const controller = new AbortController();
    const res = await fetch(`${hl.url}/api/v1/stream/attempts?app_id=tail-app&endpoint_id=two`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': newest },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = [];
    for await (const event of parseEvents(res.body as ReadableStream<Uint8Array>)) {
      events.push(event);
      if (JSON.parse(event.data).msgId === away) break;
    }
    controller.abort();
    // Everything after the last id seen, each with its attempt id as the event id (it may repeat
    // attempts from just before it, which clients drop by id); the one made while away is among them.
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const attempt = events.map((e) => JSON.parse(e.data)).find((a) => a.msgId === away);
    expect(attempt).toMatchObject({
      eventType: 'order.paid',
      statusText: 'success',
      endpointId: expect.any(String),
    });
    expect(attempt.id > newest).toBe(true);
    expect(events.every((e) => e.event === 'attempt')).toBe(true);
  });

  it('reconnects by itself when the server restarts, and goes on printing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-tail-restart-'));
    let first: TestServer | undefined = await startTestServer({ dir });
    const port = Number(new URL(first.url).port);
    let second: TestServer | undefined;
    try {
      const call = (server: TestServer, path: string, body: unknown) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await call(first, '/api/v1/app', { name: 'r', uid: 'r' });
      await call(first, '/api/v1/app/r/endpoint', { url: `${receiver.url}/r` });
      const cli = await startCli(['tail', '--app', 'r', '--json'], first.env);
      await until(() => cli.stderr.includes('waiting for attempts (Ctrl-C to stop)'));
      await first.server.stop();
      first = undefined;
      await until(() => cli.stderr.some((l) => l.startsWith('stream lost')));

      second = await startTestServer({ dir, config: { port } });
      await until(() => cli.stderr.includes('reconnected'));
      const msg = (await (
        await call(second, '/api/v1/app/r/msg', { eventType: 'after.restart', payload: {} })
      ).json()) as {
        id: string;
      };
      await until(() => parsed(cli.stdout).some((a) => a.msgId === msg.id));
      cli.kill('SIGINT');
      expect(await cli.exited).toBe(0);
    } finally {
      await first?.server.stop();
      await second?.server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused without the token, and for an endpoint without its app', async () => {
    const res = await fetch(`${hl.url}/api/v1/stream/attempts`);
    expect(res.status).toBe(401);
    const bad = await runCli(['tail', '--endpoint', 'one'], { env: hl.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--endpoint needs --app');
    const missing = await runCli(['tail', '--app', 'nope', '--json'], { env: hl.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/application not found \(404/);
    expect(json(await runCli(['app', 'get', 'tail-app', '--json'], { env: hl.env })).uid).toBe('tail-app');
  });
});
