import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestServer, type TestServer, TOKEN } from './harness.js';

/** `hookline dashboard`: a one-time sign-in link for the server the CLI uses, carrying a code, never the token. */
let hl: TestServer;
beforeAll(async () => {
  hl = await startTestServer({ role: 'api' });
});
afterAll(() => hl.close());

it('prints a one-time sign-in link whose code the dashboard trades once; the token is not in it', async () => {
  const res = await runCli(['dashboard', '--server', hl.url], { env: { HOOKLINE_API_TOKEN: TOKEN } });
  expect(res.code, res.stderr).toBe(0);
  const url = res.stdout.split('\n')[0] ?? '';
  expect(url).toMatch(new RegExp(`^${hl.url}/#code=hkc_[\\w-]{32}$`));
  expect(res.stdout).not.toContain(TOKEN);
  const code = url.split('#code=')[1];
  const exchange = () =>
    fetch(`${hl.url}/api/v1/auth/dashboard-sign-in/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
  expect((await exchange()).status).toBe(200);
  expect((await exchange()).status).toBe(401);

  const json = await runCli(['dashboard', '--server', hl.url, '--json'], {
    env: { HOOKLINE_API_TOKEN: TOKEN },
  });
  const out = JSON.parse(json.stdout);
  expect(out).toEqual({ url: expect.stringMatching(/#code=hkc_/), expiresAt: expect.any(String) });
  expect(out.url).not.toBe(url);
});

it('refuses without a token, or with one the server refuses, printing no link', async () => {
  const none = await runCli(['dashboard', '--server', hl.url]);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/^hookline: no API token/);
  const wrong = await runCli(['dashboard', '--server', hl.url], {
    env: { HOOKLINE_API_TOKEN: 'hk_wrong_token_0123456789abcdef' },
  });
  expect(wrong.code).toBe(1);
  expect(wrong.stdout).toBe('');
  expect(wrong.stderr).toMatch(/refused the API token/);
});
