import type { Check, Outcome } from './probe-checks.js';

export interface CheckResult {
  id: string;
  title: string;
  expect: string;
  got: string;
  pass: boolean;
  critical: boolean;
  fix: string | null;
}

export interface Report {
  url: string;
  score: number;
  grade: 'A' | 'B' | 'C' | 'D' | 'F';
  passed: number;
  total: number;
  checks: CheckResult[];
}

/**
 * The score is the share of checks passed. The grade follows it, except that a
 * failed critical check (the receiver acts on a request Hookline never sent,
 * or a replay) is an F whatever else passed.
 */
export function grade(url: string, results: [Check, Outcome][]): Report {
  const checks = results.map(([c, o]) => ({
    id: c.id,
    title: c.title,
    expect: c.expect,
    got: o.got,
    pass: o.pass,
    critical: c.critical,
    fix: o.pass ? null : c.fix,
  }));
  const passed = checks.filter((c) => c.pass).length;
  const score = Math.round((100 * passed) / checks.length);
  const criticalFailed = checks.some((c) => c.critical && !c.pass);
  const letter = criticalFailed
    ? 'F'
    : score >= 90
      ? 'A'
      : score >= 80
        ? 'B'
        : score >= 70
          ? 'C'
          : score >= 60
            ? 'D'
            : 'F';
  return { url, score, grade: letter, passed, total: checks.length, checks };
}

/** The report card for people: one line per check, then what to fix. */
export function renderReport(r: Report): string {
  const width = Math.max(...r.checks.map((c) => c.title.length));
  const lines = [`Receiver conformance: ${r.url}`, ''];
  for (const c of r.checks) {
    const mark = c.pass ? 'PASS' : 'FAIL';
    lines.push(`  ${mark}  ${c.title.padEnd(width)}  expected ${c.expect}, got ${c.got}`);
  }
  const capped = r.checks.some((c) => c.critical && !c.pass);
  lines.push(
    '',
    `Score: ${r.score}/100 (${r.passed} of ${r.total} checks passed)  Grade: ${r.grade}` +
      (capped ? ' (a [security] check failed)' : ''),
  );
  const failed = r.checks.filter((c) => !c.pass);
  if (failed.length > 0) {
    lines.push('', 'To fix:');
    for (const c of failed) lines.push(`  - ${c.title}${c.critical ? ' [security]' : ''}: ${c.fix}`);
  }
  return `${lines.join('\n')}\n`;
}
