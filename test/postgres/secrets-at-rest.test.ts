import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/core/secret-box.js';
import { createTestSchema, postgresAvailable, type TestSchema } from '../helpers/postgres.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type HooklineProcess, runScript, spawnHookline, stopAll } from './cluster.js';

/**
 * Secrets at rest on PostgreSQL, as operators run it: an API and a worker
 * process sharing a key, the rotation run beside them, and the start-up
 * checks. Judged from raw rows, output and a real receiver's signed deliveries.
 */
const available = await postgresAvailable();
const TOKEN = 'hk_pg_secrets_at_rest_token_0123';
const HEADER_VALUE = 'Bearer pg-receiver-credential-93d1';

describe.skipIf(!available)('secrets at rest on PostgreSQL', () => {
  let schema: TestSchema;
  let receiver: Receiver;
  let procs: HooklineProcess[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await stopAll(procs);
    procs = [];
    await schema?.drop();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const start = (role: 'api' | 'worker' | 'all', extra: string[], apiToken: string | null = TOKEN) => {
    const p = spawnHookline({
      databaseUrl: schema.url,
      role,
      apiToken,
      extra: ['--poll-interval', '200ms', ...extra],
    });
    procs.push(p);
    return p;
  };
  const call = async (base: string, method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  const rawRows = () =>
    schema.sql<{ headers: string; secrets: string }>(
      'SELECT headers::text AS headers, secrets::text AS secrets FROM endpoints ORDER BY id',
    );
  const deliverOne = async (base: string, appId: string, epId: string) => {
    const secret = (await call(base, 'GET', `/app/${appId}/endpoint/${epId}/secret`)).body.key as string;
    const n = receiver.requests.length + 1;
    expect(
      (await call(base, 'POST', `/app/${appId}/msg`, { eventType: 'order.paid', payload: { n } })).status,
    ).toBe(202);
    const got = (await receiver.waitFor(n))[n - 1]!;
    expect(got.headers.authorization).toBe(HEADER_VALUE);
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual({ n });
    return secret;
  };

  it('API and worker processes share a key: sealed rows, signed deliveries, online rotation, old key removed', async () => {
    schema = await createTestSchema('sealed_e2e');
    receiver.requests.length = 0;
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const [oldId, newId] = [oldKey, newKey].map((k) => keyIdOf(Buffer.from(k, 'base64')));
    let api = start('api', ['--encryption-key', oldKey]);
    let worker = start('worker', ['--encryption-key', oldKey]);
    const base = await api.ready;
    await worker.ready;
    const app = (await call(base, 'POST', '/app', { name: 'shop' })).body;
    const eps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ep = await call(base, 'POST', `/app/${app.id}/endpoint`, {
        url: `${receiver.url}/hook`,
        headers: { Authorization: HEADER_VALUE },
        ...(i === 1 ? {} : { filterTypes: ['never.sent'] }),
      });
      eps.push(ep.body.id as string);
    }
    const secret = await deliverOne(base, app.id as string, eps[1]!);
    for (const row of await rawRows()) {
      for (const text of [row.headers, row.secrets]) {
        expect(text).toMatch(new RegExp(`^"hlenc:v1:${oldId}:`));
        expect(text).not.toContain(HEADER_VALUE);
      }
    }
    expect((await rawRows()).some((r) => r.secrets.includes(secret.slice('whsec_'.length)))).toBe(false);

    // Every process learns the new key (first), then the rotation runs beside them.
    await stopAll(procs);
    procs = [];
    api = start('api', ['--encryption-key', `${newKey},${oldKey}`]);
    worker = start('worker', ['--encryption-key', `${newKey},${oldKey}`]);
    const base2 = await api.ready;
    await worker.ready;
    const rotation = await runScript('src/cli/main.ts', [
      'rotate-encryption-key',
      '--database',
      schema.url,
      '--encryption-key',
      `${newKey},${oldKey}`,
      '--batch-size',
      '2',
    ]);
    expect(rotation.code, rotation.output).toBe(0);
    expect(rotation.output.match(/^batch \d+: /gm)).toHaveLength(2);
    expect(rotation.output).toContain(`done: 3 endpoints under key id ${newId}`);
    await deliverOne(base2, app.id as string, eps[1]!);
    for (const row of await rawRows()) expect(row.secrets).toMatch(new RegExp(`^"hlenc:v1:${newId}:`));

    // The old key goes: the new one alone reads everything; the old one alone is refused at start.
    await stopAll(procs);
    procs = [];
    api = start('api', ['--encryption-key', newKey]);
    worker = start('worker', ['--encryption-key', newKey]);
    const base3 = await api.ready;
    await worker.ready;
    await deliverOne(base3, app.id as string, eps[1]!);
    const refused = start('worker', ['--encryption-key', oldKey]);
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toMatch(
      new RegExp(`^hookline: the database holds secrets encrypted with key id ${newId}`),
    );
    const none = start('api', []);
    expect(await none.exited).toBe(2);
    expect(none.stderr()).toContain(`key id ${newId}, but no encryption key was given`);
  });

  it('without a key: clear text and a warning at start; a clear-text token row is upgraded to its hash', async () => {
    schema = await createTestSchema('sealed_nokey');
    const first = start('all', [], null);
    const base = await first.ready;
    expect(first.stdout()).toContain('no encryption key given');
    const token = /API token: (hk_\S+) \(generated now/.exec(first.stdout())?.[1];
    expect(token).toBeDefined();
    const app = (await call(base, 'POST', '/app', { name: 'shop' }, token)).body;
    await call(
      base,
      'POST',
      `/app/${app.id}/endpoint`,
      { url: `${receiver.url}/hook`, headers: { Authorization: HEADER_VALUE } },
      token,
    );
    expect((await rawRows())[0]?.headers).toContain(HEADER_VALUE);
    const stored = await schema.sql<{ value: string }>("SELECT value FROM settings WHERE name = 'api_token'");
    expect(stored[0]?.value).toMatch(/^sha256:[0-9a-f]{64}$/);
    await stopAll(procs);
    procs = [];

    // An older version's clear-text token row, then a key given: both are upgraded at start.
    const old = 'hk_cleartext_token_from_an_older_pg';
    await schema.sql("UPDATE settings SET value = $1 WHERE name = 'api_token'", [old]);
    const key = randomBytes(32).toString('base64');
    const upgraded = start('all', ['--encryption-key', key], null);
    const base2 = await upgraded.ready;
    expect(upgraded.stdout()).not.toContain(old);
    expect((await call(base2, 'GET', '/app', undefined, old)).status).toBe(200);
    const after = await schema.sql<{ value: string }>("SELECT value FROM settings WHERE name = 'api_token'");
    expect(after[0]?.value).toMatch(/^sha256:[0-9a-f]{64}$/);
    const row = (await rawRows())[0]!;
    expect(row.headers).toMatch(new RegExp(`^"hlenc:v1:${keyIdOf(Buffer.from(key, 'base64'))}:`));
    expect(row.headers).not.toContain(HEADER_VALUE);
  });
});
