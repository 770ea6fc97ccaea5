import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { json, runCli, startTestServer, type TestServer } from './harness.js';

let hl: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  [hl, receiver] = await Promise.all([startTestServer(), startReceiver()]);
});
afterAll(async () => {
  await Promise.all([hl?.close(), receiver?.close()]);
});

const cli = (...args: string[]) => runCli(args, { env: hl.env });
const api = async (path: string) => {
  const res = await fetch(`${hl.url}${path}`, {
    headers: { authorization: `Bearer ${hl.env.HOOKLINE_API_TOKEN}` },
  });
  return res.json() as Promise<Record<string, unknown>>;
};

describe('app, endpoint and event-type commands', () => {
  it('app create/get/list/update/delete, tables for people and --json for scripts', async () => {
    const created = await cli(
      'app',
      'create',
      '--name',
      'Acme Shop',
      '--uid',
      'acme',
      '--metadata',
      'tier=gold',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^application app_\w+ \(acme\): Acme Shop\n$/);
    // --get-if-exists makes a setup script safe to run again.
    const again = await cli(
      'app',
      'create',
      '--name',
      'Acme Shop',
      '--uid',
      'acme',
      '--get-if-exists',
      '--json',
    );
    expect(json(again)).toMatchObject({ uid: 'acme', metadata: { tier: 'gold' } });
    const conflict = await cli('app', 'create', '--name', 'Acme Shop', '--uid', 'acme');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe('hookline: application with uid acme already exists (409 conflict)\n');

    const list = await cli('app', 'list');
    const [header, row] = list.stdout.split('\n');
    expect(header).toMatch(/^ID\s+UID\s+NAME\s+RATE LIMIT\s+CREATED$/);
    expect(row).toMatch(/^app_\w+\s+acme\s+Acme Shop\s+-\s+\d{4}-/);

    const updated = await cli('app', 'update', 'acme', '--rate-limit', '7', '--json');
    expect(json(updated).rateLimit).toBe(7);
    expect((await cli('app', 'get', 'acme')).stdout).toContain('rate limit: 7/s');

    await cli('app', 'create', '--name', 'Temp', '--uid', 'temp');
    expect((await cli('app', 'delete', 'temp')).stdout).toBe('deleted application temp\n');
    expect((await cli('app', 'get', 'temp')).code).toBe(1);
  });

  it('endpoint create takes the API fields as flags; update, enable, disable, secret, rotate, stats', async () => {
    const created = await cli(
      'endpoint',
      'create',
      '--app',
      'acme',
      '--uid',
      'shop',
      '--url',
      `${receiver.url}/hooks`,
      '--filter-types',
      'payment.succeeded,payment.failed',
      '--channels',
      'eu',
      '--rate-limit',
      '10',
      '--header',
      'X-Env=dev',
      '--max-in-flight',
      '3',
      '--ordered',
      '--version',
      '2',
      '--description',
      'shop',
      '--disabled',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(json(created)).toMatchObject({
      uid: 'shop',
      url: `${receiver.url}/hooks`,
      filterTypes: ['payment.succeeded', 'payment.failed'],
      channels: ['eu'],
      rateLimit: 10,
      maxInFlight: 3,
      ordered: true,
      version: 2,
      disabled: true,
    });
    expect(await api('/api/v1/app/acme/endpoint/shop/headers')).toMatchObject({
      headers: { 'X-Env': 'dev' },
    });

    const updated = await cli(
      'endpoint',
      'update',
      'shop',
      '--app',
      'acme',
      '--all-types',
      '--all-channels',
      '--no-rate-limit',
      '--unordered',
      '--enabled',
      '--header',
      'X-Two=2',
      '--json',
    );
    expect(json(updated)).toMatchObject({
      filterTypes: null,
      channels: null,
      rateLimit: null,
      ordered: false,
      disabled: false,
    });
    expect(await api('/api/v1/app/acme/endpoint/shop/headers')).toMatchObject({
      headers: { 'X-Env': 'dev', 'X-Two': '2' },
    });

    expect((await cli('endpoint', 'disable', 'shop', '--app', 'acme')).stdout).toMatch(
      /^disabled endpoint ep_/,
    );
    expect((await cli('endpoint', 'enable', 'shop', '--app', 'acme')).stdout).toMatch(
      /^enabled endpoint ep_/,
    );

    const secret = (await cli('endpoint', 'secret', 'shop', '--app', 'acme')).stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    expect((await cli('endpoint', 'rotate', 'shop', '--app', 'acme', '--grace', '0')).code).toBe(0);
    const rotated = (await cli('endpoint', 'secret', 'shop', '--app', 'acme')).stdout.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);

    const stats = await cli('endpoint', 'stats', 'shop', '--app', 'acme');
    expect(stats.stdout).toBe(
      'success:  0\npending:  0\nsending:  0\nfailed:   0\ncanceled: 0\nbreaker:  closed\nfailing:  no\n',
    );
    const listed = await cli('endpoint', 'list', '--app', 'acme');
    expect(listed.stdout).toMatch(/\nep_\w+\s+shop\s+http:\/\/127\.0\.0\.1:\d+\/hooks\s+all\s+enabled\n$/);
  });

  it('event-type create/get/list/update/delete; a schema with examples', async () => {
    const schema = {
      type: 'object',
      required: ['id', 'amount'],
      properties: { id: { type: 'string' }, amount: { type: 'integer' } },
      examples: [{ id: 'pay_example', amount: 4200 }],
    };
    const file = join(hl.dir, 'schema.json');
    writeFileSync(file, JSON.stringify(schema));
    const created = await cli(
      'event-type',
      'create',
      'payment.succeeded',
      '--description',
      'paid',
      '--schema',
      `@${file}`,
    );
    expect(created.stdout).toBe('created event type payment.succeeded\n');
    const minimal = {
      type: 'object',
      required: ['id', 'ok'],
      properties: { id: { type: 'string' }, ok: { type: 'boolean' } },
    };
    await cli(
      'event-type',
      'create',
      'payment.failed',
      '--description',
      'failed',
      '--schema',
      JSON.stringify(minimal),
    );
    const got = json(await cli('event-type', 'get', 'payment.succeeded', '--json'));
    expect(got.schemas).toEqual({ '1': schema });
    expect((await cli('event-type', 'update', 'payment.failed', '--deprecated')).code).toBe(0);
    const list = await cli('event-type', 'list');
    expect(list.stdout).toMatch(/payment\.failed\s+failed\s+deprecated/);
    await cli('event-type', 'create', 'old.thing', '--description', 'old');
    expect((await cli('event-type', 'delete', 'old.thing')).stdout).toBe('archived event type old.thing\n');
    expect(
      json(await cli('event-type', 'list', '--json')).data.map((t: { name: string }) => t.name),
    ).not.toContain('old.thing');
  });
});

describe('messages, attempts, resend and recover', () => {
  it('msg send (JSON text byte for byte, @file), trigger, msg list/get, attempt list/get, resend, recover', async () => {
    const sent = await cli(
      'msg',
      'send',
      'payment.failed',
      '--app',
      'acme',
      '--data',
      '{"id": "pay_1",  "amount": 1.50}',
    );
    expect(sent.code).toBe(0);
    const msgId = /^sent (msg_\w+) \(payment\.failed\)\n$/.exec(sent.stdout)?.[1];
    expect(msgId).toBeDefined();
    const [first] = await receiver.waitFor(1);
    // What the user typed is what the receiver got: no re-encoding on the way.
    expect(first?.body).toBe('{"id": "pay_1",  "amount": 1.50}');

    const triggered = await cli('trigger', 'payment.succeeded', '--app', 'acme', '--json');
    expect(json(triggered).payload).toEqual({ id: 'pay_example', amount: 4200 });
    const file = join(hl.dir, 'p.json');
    writeFileSync(file, '{"from":"file"}');
    expect(
      (await cli('msg', 'send', 'x.y', '--app', 'acme', '--data', `@${file}`, '--channel', 'eu')).code,
    ).toBe(0);
    const minimal = await cli('trigger', 'payment.failed', '--app', 'acme');
    expect(minimal.stdout).toMatch(/with payload \{"id":"","ok":false\}\n$/);
    const badData = await cli('msg', 'send', 'x.y', '--app', 'acme', '--data', '{nope');
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/^hookline: invalid --data: not JSON/);

    const list = await cli('msg', 'list', '--app', 'acme', '--json');
    expect(json(list).data.map((m: { eventType: string }) => m.eventType)).toEqual([
      'payment.failed',
      'x.y',
      'payment.succeeded',
      'payment.failed',
    ]);

    await receiver.waitFor(3);
    const shown = await cli('msg', 'get', msgId ?? '', '--app', 'acme');
    expect(shown.stdout).toContain('event type: payment.failed');
    expect(shown.stdout).toMatch(/ENDPOINT\s+URL\s+STATUS\s+NEXT ATTEMPT\nep_\w+\s+http:\S+\s+success/);

    const attempts = json(await cli('attempt', 'list', '--app', 'acme', '--msg', msgId ?? '', '--json'));
    expect(attempts.data).toHaveLength(1);
    const attemptId = attempts.data[0].id as string;
    const one = await cli('attempt', 'get', attemptId, '--app', 'acme', '--msg', msgId ?? '');
    expect(one.stdout).toContain('response code: 200');
    expect(one.stdout).toContain('trigger:       scheduled');

    // The receiver now fails: a resend is one manual failed attempt, then recover picks it up.
    receiver.respondWith(() => ({ status: 500, body: 'down' }));
    const resent = await cli('resend', msgId ?? '', '--app', 'acme', '--endpoint', 'shop');
    expect(resent.stdout).toBe(`resending ${msgId} to shop\n`);
    await receiver.waitFor(4);
    let failed: { data: { statusText: string }[] } = { data: [] };
    for (let i = 0; i < 100 && failed.data.length === 0; i++) {
      failed = (await api(`/api/v1/app/acme/attempt/endpoint/shop?status=2`)) as typeof failed;
      if (failed.data.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    const byEndpoint = await cli(
      'attempt',
      'list',
      '--app',
      'acme',
      '--endpoint',
      'shop',
      '--status',
      'fail',
    );
    expect(byEndpoint.stdout).toMatch(/\n\S+\s+msg_\w+\s+ep_\w+\s+fail\s+500\s+\d+/);

    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    // Not a terminal: plain lines, and the last one says how it ended.
    const recovered = await cli('recover', '--app', 'acme', '--endpoint', 'shop', '--since', '1h');
    expect(recovered.code).toBe(0);
    const lines = recovered.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^recovered 1 failed delivery \(task qtask_\w+\)$/);
    expect(recovered.stdout).not.toContain('\r');
    await receiver.waitFor(5);
  });
});
