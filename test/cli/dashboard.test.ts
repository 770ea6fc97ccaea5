import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startTestServer, type TestServer, TOKEN } from './harness.js';

/** `hookline dashboard`: a sign-in link for the server and token the CLI uses, after checking the token. */
let hl: TestServer;
beforeAll(async () => {
  hl = await startTestServer({ role: 'api' });
});
afterAll(() => hl.close());

it('prints the sign-in link, the token in the fragment', async () => {
  const res = await runCli(['dashboard', '--server', hl.url], { env: { HOOKLINE_API_TOKEN: TOKEN } });
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout.split('\n')[0]).toBe(`${hl.url}/#token=${TOKEN}`);
  const json = await runCli(['dashboard', '--server', hl.url, '--json'], {
    env: { HOOKLINE_API_TOKEN: TOKEN },
  });
  expect(JSON.parse(json.stdout)).toEqual({ url: `${hl.url}/#token=${TOKEN}` });
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
