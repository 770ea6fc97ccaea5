/**
 * npm run demo [-- --interactive] [-- --shop-down --crash ...]
 *
 * Installs @hookline/verify from its npm pack tarball into this example, starts
 * Hookline, the payment service, the shop and the mail sink, runs the scripted
 * story with the chosen chaos toggles (all of them when none is named), prints
 * the timeline and the verdict, and exits 1 when the verdict fails.
 */
import { ensureVerifyInstalled } from '../../../scripts/pack-verify.js';
import { APP_UID } from './stack.js';
import { TOGGLES, type Toggle, runDemo } from './scenario.js';

const exampleDir = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unknown = args.filter(
  (a) => a !== '--interactive' && !TOGGLES.includes(a.replace(/^--/, '') as Toggle),
);
if (unknown.length > 0 || args.includes('--help')) {
  process.stderr.write(
    `usage: npm run demo -- [--interactive] [${TOGGLES.map((t) => `--${t}`).join(' ')}]\n` +
      'With no toggle named, every one runs.\n',
  );
  process.exit(args.includes('--help') ? 0 : 2);
}
const named = TOGGLES.filter((t) => args.includes(`--${t}`));
const toggles = new Set<Toggle>(named.length > 0 ? named : TOGGLES);
const interactive = args.includes('--interactive');

process.stdout.write(`@hookline/verify for the shop: packing and installing its tarball...`);
process.stdout.write(` ${await ensureVerifyInstalled(exampleDir)}\n`);
process.stdout.write(`chaos: ${[...toggles].join(', ')}\n`);

const result = await runDemo({ toggles, echo: true, keepRunning: interactive }).catch((error: Error) => {
  process.stdout.write(`\nFAIL: the story could not finish: ${error.message}\n`);
  process.exit(1);
});
if (!interactive) process.exit(result.verdict.ok ? 0 : 1);

const stack = result.stack!;
process.stdout.write(
  [
    '',
    'Everything keeps running (Ctrl-C stops it all):',
    `  Hookline API    ${stack.hooklineUrl}/api/v1  (token ${stack.apiToken}, app "${APP_UID}")`,
    `  payments        ${stack.paymentsUrl}/payments`,
    `  shop (public)   ${stack.edge.url}/webhooks`,
    `  mail sink       ${stack.mailPageUrl}  (SMTP on 127.0.0.1:${stack.smtpPort})`,
    '',
    'Complete a payment and watch the email arrive:',
    `  curl -X POST ${stack.paymentsUrl}/payments -H 'content-type: application/json' \\`,
    `    -d '{"orderId":"order-2001","amount":1500,"currency":"EUR","email":"you@example.test"}'`,
    `  curl ${stack.mailPageUrl}/emails.json`,
    '',
  ].join('\n'),
);
const stop = () => void stack.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
