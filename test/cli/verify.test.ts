import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret, testHeaders } from '@hookline/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secret = generateSecret();
let n = 0;

/** Saves a request as people do: headers as "Name: value" lines (or JSON), the body as its own file. */
function save(headers: Record<string, string>, body: string | Buffer, asJson = false) {
  n++;
  const h = join(dir, `h${n}`);
  const b = join(dir, `b${n}`);
  writeFileSync(
    h,
    asJson
      ? JSON.stringify(headers)
      : `POST /webhooks HTTP/1.1\n${Object.entries(headers)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n`,
  );
  writeFileSync(b, body);
  return ['--headers', h, '--body', b];
}

const verify = (files: string[], ...extra: string[]) =>
  runCli(['verify', '--secret', secret, ...files, ...extra]);

describe('hookline verify', () => {
  it('accepts a correctly signed request, from header lines or JSON', async () => {
    const req = await testHeaders(secret, { id: 'pay_1' });
    const ok = await verify(save(req.headers, req.body));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`ok: signature valid for ${req.headers['webhook-id']}\n`);
    const asJson = await verify(save(req.headers, req.body, true), '--json');
    expect(json(asJson)).toMatchObject({ ok: true, code: 'OK' });
  });

  it('says exactly why it fails', async () => {
    const req = await testHeaders(secret, { id: 'pay_2' });
    const cases: [string[], string][] = [
      [
        save(req.headers, `${req.body}\n`),
        'NO_MATCHING_SIGNATURE): the body file ends with a newline the sender did not sign; it matches without it',
      ],
      [
        save(req.headers, JSON.stringify(JSON.parse(req.body), null, 2)),
        'NO_MATCHING_SIGNATURE): the body was re-encoded (JSON parsed and serialized again): the signature covers the exact bytes sent',
      ],
      [
        save(req.headers, req.body.replace('pay_2', 'pay_9')),
        'NO_MATCHING_SIGNATURE): no signature matches the secret',
      ],
      [
        save({ ...req.headers, 'webhook-signature': undefined } as never, req.body),
        'MISSING_HEADER): Missing the webhook-signature header',
      ],
    ];
    for (const [files, reason] of cases) {
      const r = await verify(files);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`hookline: verification failed (${reason}`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a request saved long ago: the timestamp is named, and --ignore-timestamp checks the signature alone', async () => {
    const req = await testHeaders(
      secret,
      { id: 'pay_3' },
      { timestamp: Math.floor(Date.now() / 1000) - 7200 },
    );
    const files = save(req.headers, req.body);
    const stale = await verify(files);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(
      /verification failed \(TIMESTAMP_TOO_OLD\): the timestamp is 2h0m old, outside the 300s tolerance receivers apply against replays; the signature itself matches \(--ignore-timestamp checks only the signature\)/,
    );
    const ignored = await verify(files, '--ignore-timestamp');
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toMatch(/^ok: signature valid for msg_\w+ \(timestamp not checked: 2h0m old\)\n$/);
  });

  it('a wrong secret, and an unreadable file, are told apart (exit 1 vs 2)', async () => {
    const req = await testHeaders(generateSecret(), { id: 'pay_4' });
    const wrong = await verify(save(req.headers, req.body));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('no signature matches the secret: a different secret');
    const missing = await runCli([
      'verify',
      '--secret',
      secret,
      '--headers',
      join(dir, 'nope'),
      '--body',
      join(dir, 'nope'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hookline: cannot read --headers file ".*nope": ENOENT\n$/);
  });
});
