import { generateSecret } from '@hookline/verify';
import { describe, expect, it } from 'vitest';
import { json, runCli } from './harness.js';
import { brokenReceiver, correctReceiver, type TestReceiver } from './probe-receivers.js';

const secret = generateSecret();

async function probe(start: Promise<TestReceiver>, ...extra: string[]) {
  const receiver = await start;
  try {
    return await runCli(['probe', receiver.url, '--secret', secret, '--oversize-mb', '2', ...extra]);
  } finally {
    await receiver.close();
  }
}

const failedChecks = (report: { checks: { id: string; pass: boolean }[] }) =>
  report.checks.filter((c) => !c.pass).map((c) => c.id);

describe('hookline probe', () => {
  it('a receiver built with @hookline/verify passes every check: grade A, exit 0, a readable report card', async () => {
    const r = await probe(correctReceiver(secret));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Receiver conformance: http:\/\/127\.0\.0\.1:\d+\/webhooks$/);
    expect(lines.filter((l) => l.startsWith('  PASS  '))).toHaveLength(12);
    expect(r.stdout).toContain('  PASS  forged signature');
    expect(r.stdout).toMatch(/expected 4xx \(413\), or the connection closed, got (413|connection closed)/);
    expect(r.stdout).toContain('Score: 100/100 (12 of 12 checks passed)  Grade: A');
    expect(r.stdout).not.toContain('To fix:');
  });

  it('catches a receiver that checks no signature: F, with the fixes', async () => {
    const r = await probe(brokenReceiver(secret, 'no-signature-check'), '--json');
    expect(r.code).toBe(1);
    const report = json(r);
    expect(failedChecks(report)).toEqual([
      'stale-timestamp',
      'future-timestamp',
      'forged-signature',
      'tampered-body',
      'missing-headers',
    ]);
    expect(report).toMatchObject({ grade: 'F', score: 58, passed: 7, total: 12 });
    expect(report.checks.find((c: { id: string }) => c.id === 'forged-signature')).toMatchObject({
      got: '204',
      fix: expect.stringContaining('Check the signature'),
    });
  });

  it('catches a receiver that parses JSON before verifying', async () => {
    const r = await probe(brokenReceiver(secret, 'parses-json-first'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      / {2}FAIL {2}valid delivery, JSON spaced and escaped unusually\s+expected 2xx, got 401\n/,
    );
    expect(r.stdout).toContain('Score: 92/100 (11 of 12 checks passed)  Grade: A');
    expect(r.stdout).toContain(
      'To fix:\n  - valid delivery, JSON spaced and escaped unusually: Verify the raw body bytes',
    );
  });

  it('catches a receiver that does not check timestamps', async () => {
    const r = await probe(brokenReceiver(secret, 'no-timestamp-check'), '--json');
    expect(r.code).toBe(1);
    const report = json(r);
    expect(failedChecks(report)).toEqual(['stale-timestamp', 'future-timestamp']);
    expect(report.grade).toBe('F');
  });

  it('catches a receiver that answers 500 to duplicates', async () => {
    const r = await probe(brokenReceiver(secret, '500-on-duplicates'), '--json');
    expect(r.code).toBe(1);
    const report = json(r);
    expect(failedChecks(report)).toEqual(['duplicate-concurrent', 'duplicate-later']);
    expect(report.checks.find((c: { id: string }) => c.id === 'duplicate-later').got).toBe('204 then 500');
    expect(report).toMatchObject({ grade: 'B', score: 83 });
  });

  it('an unreachable receiver or a bad secret is one line', async () => {
    const gone = await correctReceiver(secret);
    await gone.close();
    const r = await runCli(['probe', gone.url, '--secret', secret]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `hookline: cannot reach ${gone.url} (connection refused): is the receiver running?\n`,
    );
    const bad = await runCli(['probe', gone.url, '--secret', 'whpk_AAAA']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hookline: --secret: /);
  });
});
