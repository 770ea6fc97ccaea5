import type { Command } from 'commander';
import { sign } from '@hookline/verify';
import { failure, usage } from './errors.js';
import { integer } from './flags.js';
import { printJson, wantsJson } from './output.js';
import { CHECKS, type Check, type Outcome, type ProbeOptions } from './probe-checks.js';
import { createSender } from './probe-http.js';
import { grade, renderReport } from './probe-report.js';

/**
 * `hookline probe URL --secret whsec_...`: fires valid and hostile deliveries
 * at a receiver, one check after another (they share the receiver's state, so
 * never at once), and grades what it answered.
 */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description("check a receiver's handling of signatures, timestamps, duplicates and limits; grade it")
    .argument('<url>', 'the receiver, e.g. http://localhost:3000/webhooks')
    .requiredOption('--secret <key>', 'the secret the receiver verifies with (whsec_... or whsk_...)')
    .option('--oversize-mb <n>', 'size of the oversized body in MiB', integer('--oversize-mb', 1, 256), 12)
    .option('--timeout <seconds>', 'per request', integer('--timeout', 1, 600), 10)
    .option('--only <ids>', `run only these checks (${CHECKS.map((c) => c.id).join(', ')})`)
    .action(
      async (
        url: string,
        o: { secret: string; oversizeMb: number; timeout: number; only?: string },
        cmd: Command,
      ) => {
        if (!/^https?:\/\//.test(url) || !URL.canParse(url))
          throw usage(`invalid URL "${url}": expected http(s)://...`);
        try {
          // The probe signs like a sender, so the key must be one that signs (a whpk_ public key cannot).
          await sign(o.secret, 'msg_check', 0, '');
        } catch (err) {
          throw usage(`--secret: ${(err as Error).message}`);
        }
        const only = o.only?.split(',').map((s) => s.trim());
        const unknown = only?.filter((id) => !CHECKS.some((c) => c.id === id)) ?? [];
        if (unknown.length > 0) throw usage(`--only: unknown check ${unknown.join(', ')}`);
        const checks = only ? CHECKS.filter((c) => only.includes(c.id)) : CHECKS;
        const sender = createSender(url, o.secret, o.timeout * 1000);
        const options: ProbeOptions = { oversizeBytes: o.oversizeMb * 1024 * 1024, laterMs: 1000 };
        const results: [Check, Outcome][] = [];
        for (const check of checks) results.push([check, await check.run(sender, options)]);
        const report = grade(url, results);
        const { answered, lastError } = sender.stats();
        if (answered === 0) {
          const why = lastError === 'ECONNREFUSED' ? 'connection refused' : lastError;
          throw failure(`cannot reach ${url} (${why}): is the receiver running?`);
        }
        if (wantsJson(cmd)) printJson(report);
        else process.stdout.write(renderReport(report));
        if (report.passed < report.total) process.exitCode = 1;
      },
    );
}
