import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../src/core/api-token.js';
import { json, runCli, startTestServer } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const database = `sqlite:${join(dir, 'cli.db')}`;

async function accepts(url: string, token: string): Promise<boolean> {
  const res = await fetch(`${url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
  return res.status === 200;
}

describe('hookline token show|rotate', () => {
  it('shows only that a token exists, its fingerprint and when it was set; rotate prints a new one once', async () => {
    const none = await runCli(['token', 'show', '--database', database]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^hookline: no API token is stored yet/);

    // A first start with no token configured generates and stores one.
    const first = await startTestServer({ dir, config: { apiToken: null } });
    const generated = first.server.newApiToken ?? '';
    expect(generated).toMatch(/^hk_/);
    await first.server.stop();

    const shown = await runCli(['token', 'show', '--database', database], {
      env: { HOOKLINE_API_TOKEN: generated },
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain(generated);
    const fingerprint = hashApiToken(generated).slice('sha256:'.length, 'sha256:'.length + 12);
    expect(shown.stdout).toContain(`fingerprint: ${fingerprint}`);
    expect(shown.stdout).toMatch(/^set: \d{4}-\d\d-\d\dT/m);
    expect(shown.stdout).toContain('HOOKLINE_API_TOKEN here: is the stored token');

    const rotated = await runCli(['token', 'rotate', '--database', database, '--json']);
    expect(rotated.code).toBe(0);
    const { token, fingerprint: newFingerprint } = json(rotated);
    expect(token).toMatch(/^hk_/);
    expect(token).not.toBe(generated);
    expect(newFingerprint).not.toBe(fingerprint);

    const after = json(
      await runCli(['token', 'show', '--database', database, '--json'], {
        env: { HOOKLINE_API_TOKEN: generated },
      }),
    );
    expect(after).toMatchObject({
      stored: true,
      hashed: true,
      fingerprint: newFingerprint,
      environmentTokenMatches: false,
    });
    expect(JSON.stringify(after)).not.toContain(token);

    // A server started on that database takes the new token and refuses the old one.
    const second = await startTestServer({ dir, config: { apiToken: null } });
    try {
      expect(second.server.newApiToken).toBeNull();
      expect(await accepts(second.url, token)).toBe(true);
      expect(await accepts(second.url, generated)).toBe(false);
    } finally {
      await second.server.stop();
    }
  });
});
