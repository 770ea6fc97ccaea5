import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestServer, type TestServer, TOKEN } from './harness.js';

let hl: TestServer;
beforeAll(async () => {
  hl = await startTestServer();
});
afterAll(async () => {
  await hl?.close();
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const oneLine = (text: string) => text.trim().split('\n');

describe('connection', () => {
  it('an unreachable server is one line naming it, exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(['app', 'list', '--server', url], {
      env: { ...hl.env, HOOKLINE_SERVER_URL: undefined },
    });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([
      `hookline: cannot reach the Hookline server at ${url} (connection refused); is it running? Set the address with --server or HOOKLINE_SERVER_URL`,
    ]);
    expect(r.stdout).toBe('');
  });

  it('a wrong token is one line that does not print it, exit 1', async () => {
    const r = await runCli(['app', 'list'], {
      env: { ...hl.env, HOOKLINE_API_TOKEN: 'hk_wrong_token_abcdefghijkl' },
    });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`the server at ${hl.url} refused the API token (from HOOKLINE_API_TOKEN)`);
    expect(r.stderr).not.toContain('hk_wrong_token');
  });

  it('no token at all says how to give one', async () => {
    const r = await runCli(['app', 'list'], { env: { ...hl.env, HOOKLINE_API_TOKEN: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `hookline: the server at ${hl.url} needs an API token: set HOOKLINE_API_TOKEN or run \`hookline login\``,
    );
  });

  it('usage errors exit 2: unknown command, missing --app, bad flag value', async () => {
    const unknown = await runCli(['app', 'lst'], { env: hl.env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'lst'");
    const noApp = await runCli(['endpoint', 'list'], { env: hl.env });
    expect(noApp.code).toBe(2);
    expect(noApp.stderr.trim()).toBe(
      'hookline: which application? Pass --app ID_OR_UID (or set HOOKLINE_APP)',
    );
    const bad = await runCli(['app', 'create', '--name', 'x', '--rate-limit', 'fast'], { env: hl.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'hookline: invalid --rate-limit: expected an integer from 1 to 2147483647, got "fast"',
    );
  });

  it('login checks the token, stores it 0600 without printing it, and later commands use it', async () => {
    const env = { ...hl.env, HOOKLINE_API_TOKEN: undefined, HOOKLINE_SERVER_URL: undefined };
    const refused = await runCli(['login', '--server', hl.url, '--with-token'], {
      env,
      input: 'hk_not_the_token_0000000\n',
    });
    expect(refused.code).toBe(1);
    const path = join(hl.env.XDG_CONFIG_HOME ?? '', 'hookline', 'config.json');
    expect(() => statSync(path)).toThrow();

    const r = await runCli(['login', '--server', hl.url, '--with-token'], { env, input: `${TOKEN}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`logged in to ${hl.url} (token stored in ${path})`);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ server: hl.url, tokens: { [hl.url]: TOKEN } });

    // No env at all: the stored server and token are used.
    const list = await runCli(['app', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout.trim()).toBe('no applications');

    // Another server never receives the stored token.
    const other = await runCli(['app', 'list', '--server', 'http://127.0.0.1:9'], { env });
    expect(other.stderr).not.toContain('refused the API token');

    const out = await runCli(['logout'], { env });
    expect(out.code).toBe(0);
    const after = await runCli(['app', 'list'], { env });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('needs an API token');
  });
});
