import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { HooklineError } from '../core/errors.js';
import { registerApps } from './apps.js';
import { registerAttempts } from './attempts.js';
import { registerDashboard } from './dashboard.js';
import { registerEndpoints } from './endpoints.js';
import { CliError } from './errors.js';
import { registerEventTypes } from './event-types.js';
import { registerListen } from './listen.js';
import { registerLogin } from './login.js';
import { addCommonOptions } from './common-options.js';
import { registerMessages } from './messages.js';
import { registerProbe } from './probe.js';
import { registerPrune } from './prune.js';
import { registerRotateKey } from './rotate-key.js';
import { registerRecover } from './recover.js';
import { registerServe } from './serve.js';
import { registerTail } from './tail.js';
import { registerToken } from './token.js';
import { registerVerify } from './verify.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('hookline')
  .version(version)
  .description('Hookline: self-hosted webhooks')
  // Program options only before the command, so `endpoint create --version 2` is the endpoint's version.
  .enablePositionalOptions()
  .option('--server <url>', 'Hookline server (also accepted after the command)')
  .option('--json', 'print JSON for scripts (also accepted after the command)')
  // Usage errors go through the catch below, so they exit 2 like every other one.
  .exitOverride();
registerServe(program);
registerPrune(program);
registerLogin(program);
registerApps(program);
registerEndpoints(program);
registerEventTypes(program);
registerMessages(program);
registerAttempts(program);
registerRecover(program);
registerTail(program);
registerListen(program);
registerVerify(program);
registerProbe(program);
registerRotateKey(program);
registerToken(program);
registerDashboard(program);
addCommonOptions(program, ['probe', 'verify', 'token']);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Exit codes: 0 ok, 1 the API or a check said no, 2 the command line (or configuration) was wrong.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // commander printed it
  if (err instanceof CliError) {
    process.stderr.write(`hookline: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  // Configuration and startup errors are for the operator: one clear line, exit 2.
  if (err instanceof HooklineError) {
    process.stderr.write(`hookline: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hookline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
