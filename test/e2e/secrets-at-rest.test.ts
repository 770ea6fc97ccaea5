import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Webhook } from 'svix';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyIdOf, parseKeys } from '../../src/core/secret-box.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type HooklineProcess, runScript, spawnHookline } from '../postgres/cluster.js';

/**
 * The embedded default as an operator runs it: `hookline serve` on a SQLite
 * file with no key and no token given, then restarted, given a wrong key,
 * rotated with `hookline rotate-encryption-key`, and upgraded from a
 * clear-text token. Judged from the files' modes, the raw rows, the
 * process's output and a real receiver's signed deliveries.
 */
const HEADER_VALUE = 'Bearer receiver-credential-e2e-51c0';

describe('secrets at rest, end to end (SQLite)', () => {
  let dir: string;
  let db: string;
  let receiver: Receiver;
  const procs: HooklineProcess[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-sealed-e2e-'));
    db = join(dir, 'hookline.db');
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = (extra: string[] = [], apiToken: string | null = null) => {
    const p = spawnHookline({ databaseUrl: `sqlite:${db}`, role: 'all', apiToken, extra });
    procs.push(p);
    return p;
  };
  const stop = async (p: HooklineProcess) => {
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  };
  const call = async (base: string, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };
  const raw = () => {
    const conn = new Database(db, { readonly: true });
    try {
      return {
        endpoints: conn.prepare('SELECT headers, secrets FROM endpoints').all() as {
          headers: string;
          secrets: string;
        }[],
        token: (
          conn.prepare("SELECT value FROM settings WHERE name = 'api_token'").get() as
            | { value: string }
            | undefined
        )?.value,
      };
    } finally {
      conn.close();
    }
  };
  /** One message through the real receiver; its signature checked by the svix library with the endpoint's secret. */
  const deliverOne = async (base: string, token: string, appId: string, epId: string, n: number) => {
    const secret = (await call(base, token, 'GET', `/app/${appId}/endpoint/${epId}/secret`)).body
      .key as string;
    const msg = await call(base, token, 'POST', `/app/${appId}/msg`, {
      eventType: 'order.paid',
      payload: { n },
    });
    expect(msg.status).toBe(202);
    const got = (await receiver.waitFor(n))[n - 1]!;
    expect(got.headers.authorization).toBe(HEADER_VALUE);
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual({ n });
    return secret;
  };

  it('generates a 0600 key file and a token shown once; stores neither secret nor token in clear; deliveries stay signed', async () => {
    const first = serve();
    const base = await first.ready;
    const token = /API token: (hk_\S+) \(generated now/.exec(first.stdout())?.[1];
    expect(token).toMatch(/^hk_[A-Za-z0-9_-]{32}$/);
    for (const file of [db, `${db}-wal`, `${db}-shm`, `${db}.key`]) {
      expect(existsSync(file), file).toBe(true);
      expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    }
    const app = (await call(base, token!, 'POST', '/app', { name: 'shop' })).body;
    const ep = (
      await call(base, token!, 'POST', `/app/${app.id}/endpoint`, {
        url: `${receiver.url}/hook`,
        headers: { Authorization: HEADER_VALUE },
      })
    ).body;
    const secret = await deliverOne(base, token!, app.id as string, ep.id as string, 1);
    const key = parseKeys(readFileSync(`${db}.key`, 'utf8'), 'key file')[0]!;

    const rows = raw();
    expect(rows.endpoints).toHaveLength(1);
    for (const text of [rows.endpoints[0]!.headers, rows.endpoints[0]!.secrets]) {
      expect(text).toMatch(new RegExp(`^"hlenc:v1:${keyIdOf(key)}:`));
      expect(text).not.toContain(HEADER_VALUE);
      expect(text).not.toContain(secret.slice('whsec_'.length));
    }
    expect(rows.token).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readFileSync(db).includes(token!)).toBe(false);
    await stop(first);

    // A restart shows no token, and the first one still works.
    const second = serve();
    const base2 = await second.ready;
    expect(second.stdout()).not.toContain(token!);
    expect(second.stdout()).toContain('stored as a hash, not shown again');
    expect((await call(base2, token!, 'GET', '/app')).status).toBe(200);
    await deliverOne(base2, token!, app.id as string, ep.id as string, 2);
    await stop(second);
    // Never a key in the output or the log.
    for (const p of [first, second]) {
      for (const text of [p.stdout(), p.stderr()])
        for (const form of ['base64', 'hex', 'base64url'] as const)
          expect(text).not.toContain(key.toString(form));
    }

    // A wrong key for existing ciphertext: one line naming the key id it needs, exit 2.
    const wrong = serve(['--encryption-key', randomBytes(32).toString('base64')]);
    expect(await wrong.exited).toBe(2);
    expect(wrong.stderr()).toMatch(
      new RegExp(`^hookline: the database holds secrets encrypted with key id ${keyIdOf(key)}`),
    );
  });

  it('rotates online with rotate-encryption-key: two keys, rotate, old key removed, still delivers signed', async () => {
    const TOKEN = 'hk_e2e_rotation_token_0123456789';
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const withOld = serve(['--encryption-key', oldKey], TOKEN);
    const base = await withOld.ready;
    expect(existsSync(`${db}.key`)).toBe(false); // a given key is used, none generated
    const app = (await call(base, TOKEN, 'POST', '/app', { name: 'shop' })).body;
    const eps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ep = await call(base, TOKEN, 'POST', `/app/${app.id}/endpoint`, {
        url: `${receiver.url}/hook`,
        headers: { Authorization: HEADER_VALUE },
        // Only the middle one takes order.paid: one delivery to check after the rotation.
        ...(i === 1 ? {} : { filterTypes: ['never.sent'] }),
      });
      eps.push(ep.body.id as string);
    }
    await stop(withOld);

    // The server runs with both keys (new first) while the rotation goes on beside it.
    const keyFile = join(dir, 'keys');
    writeFileSync(keyFile, `# new\n${newKey}\n# old, until rotated\n${oldKey}\n`, { mode: 0o600 });
    const withBoth = serve(['--encryption-key-file', keyFile], TOKEN);
    const base2 = await withBoth.ready;
    const rotation = await runScript('src/cli/main.ts', [
      'rotate-encryption-key',
      '--database',
      `sqlite:${db}`,
      '--encryption-key-file',
      keyFile,
      '--batch-size',
      '2',
    ]);
    expect(rotation.code, rotation.output).toBe(0);
    expect(rotation.output.match(/^batch \d+: re-encrypted \d+ of \d+ endpoints/gm)).toHaveLength(2);
    const newId = keyIdOf(Buffer.from(newKey, 'base64'));
    expect(rotation.output).toContain(`done: 3 endpoints under key id ${newId}`);
    for (const form of [oldKey, newKey]) expect(rotation.output).not.toContain(form);
    // Still served by the running process meanwhile.
    expect((await call(base2, TOKEN, 'GET', `/app/${app.id}/endpoint/${eps[0]}`)).status).toBe(200);
    await stop(withBoth);
    for (const row of raw().endpoints) expect(row.headers).toMatch(new RegExp(`^"hlenc:v1:${newId}:`));

    const withNew = serve(['--encryption-key', newKey], TOKEN);
    const base3 = await withNew.ready;
    await deliverOne(base3, TOKEN, app.id as string, eps[1]!, 1);
    await stop(withNew);

    // And the old key alone no longer opens them.
    const withOldOnly = serve(['--encryption-key', oldKey], TOKEN);
    expect(await withOldOnly.exited).toBe(2);
    expect(withOldOnly.stderr()).toContain(`key id ${newId}`);
  });

  it('upgrades a clear-text token row (older versions) to its hash at start; the token keeps working', async () => {
    const first = serve();
    await first.ready;
    await stop(first);
    const old = 'hk_cleartext_token_from_an_older_version';
    const conn = new Database(db);
    conn.prepare("UPDATE settings SET value = ? WHERE name = 'api_token'").run(old);
    conn.close();

    const upgraded = serve();
    const base = await upgraded.ready;
    expect(upgraded.stdout()).not.toContain(old);
    expect((await call(base, old, 'GET', '/app')).status).toBe(200);
    expect((await call(base, `${old}x`, 'GET', '/app')).status).toBe(401);
    const stored = raw().token;
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stored).not.toContain(old);
    await stop(upgraded);
  });
});
