import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { failure, usage } from './errors.js';
import { integer } from './flags.js';
import { printJson, wantsJson } from './output.js';
import { diagnose } from './verify-diagnose.js';

function read(flag: string, file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw usage(`cannot read ${flag} file "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * A headers file as people save them: a JSON object, or `Name: value` lines
 * (a request line such as `POST /hook HTTP/1.1` and blank lines are skipped).
 * Names are lower-cased, as Node hands them to receivers.
 */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw usage(`--headers: not valid JSON (${(err as Error).message})`);
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(' ') : String(v);
    }
    return out;
  }
  for (const line of trimmed.split(/\r?\n/)) {
    if (/^[A-Z]+ \S+ HTTP\/\d/.test(line) || line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw usage(`--headers: expected "Name: value" lines or a JSON object, got "${line.slice(0, 60)}"`);
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** `hookline verify`: checks a saved request with @hookline/verify, as a receiver would. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check the signature of a saved webhook request and say exactly why it fails')
    .requiredOption(
      '--secret <key>',
      'whsec_... (or whpk_...) secret; repeat for several',
      (v, p: string[] = []) => [...p, v],
    )
    .requiredOption('--headers <file>', 'the request headers: "Name: value" lines or a JSON object')
    .requiredOption('--body <file>', 'the raw request body, byte for byte (- for stdin)')
    .option('--tolerance <seconds>', 'accepted clock difference', integer('--tolerance', 0, 31_536_000), 300)
    .option('--ignore-timestamp', 'check the signature only (for requests saved long ago)')
    .action(
      async (
        o: { secret: string[]; headers: string; body: string; tolerance: number; ignoreTimestamp?: boolean },
        cmd: Command,
      ) => {
        const headers = parseHeaders(read('--headers', o.headers).toString('utf8'));
        const body = read('--body', o.body);
        const verdict = await diagnose(new Uint8Array(body), headers, o.secret, {
          toleranceSeconds: o.tolerance,
          ignoreTimestamp: o.ignoreTimestamp === true,
        });
        if (wantsJson(cmd)) {
          printJson(verdict);
          if (!verdict.ok) process.exitCode = 1;
          return;
        }
        if (!verdict.ok) throw failure(`verification failed (${verdict.code}): ${verdict.reason}`);
        process.stdout.write(`ok: ${verdict.reason}\n`);
      },
    );
}
