import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { HooklineError } from '../core/errors.js';
import { registerPrune } from './prune.js';
import { registerRotateKey } from './rotate-key.js';
import { registerServe } from './serve.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('hookline').version(version).description('Hookline: self-hosted webhooks');
registerServe(program);
registerPrune(program);
registerRotateKey(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Configuration and startup errors are for the operator: one clear line, exit 2.
  if (err instanceof HooklineError) {
    process.stderr.write(`hookline: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hookline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
