import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { pino } from 'pino';
import { expect } from 'vitest';
import { UI_ROOT } from '../../src/api/ui.js';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { ROOT } from '../cli/harness.js';

/**
 * Debian's chromium, driven by playwright-core (which downloads no browser of
 * its own). .ci/run installs it when missing; on a laptop without it the
 * browser tests are skipped with a notice (a failure under
 * HOOKLINE_REQUIRE_SERVICES=1).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.HOOKLINE_REQUIRE_SERVICES === '1') {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
}
if (!existsSync(join(UI_ROOT, 'index.html'))) {
  throw new Error('the pages are not built (dist/ui): run `npm run build` first');
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/**
 * A page that fails the test on any script error or CSP violation: the pages
 * must run under their policy as served, with nothing blocked.
 */
export async function openPage(browser: Browser, opts: { colorScheme?: 'light' | 'dark' } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  // Generous: in CI the whole suite shares two cores with this browser; a wait is a failsafe, not a measure.
  page.setDefaultTimeout(90_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[134]/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => void dialog.accept());
  return { page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an inline tag would be refused).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe on ${where}`).toEqual([]);
}

/**
 * Screenshots go to a temporary folder; with HOOKLINE_UPDATE_SCREENSHOTS=1
 * they replace the README's (docs/images), so a test run does not touch the
 * checkout unless asked.
 */
const SHOTS =
  process.env.HOOKLINE_UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'hookline-shots-'));
mkdirSync(SHOTS, { recursive: true });

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * Signs the page in as `hookline dashboard` does: a one-time sign-in code
 * asked for with the API token, its link opened, and the page signed in
 * (it rewrites the hash as it does, so a goto before that would be undone).
 */
export async function signIn(page: Page, serverUrl: string, apiToken: string): Promise<void> {
  const res = await fetch(`${serverUrl}/api/v1/auth/dashboard-sign-in`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}` },
  });
  expect(res.status).toBe(200);
  const { url } = (await res.json()) as { url: string };
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * The server the flows drive: this database, any port, the test token, quick
 * retries, private (loopback) receivers allowed, silent.
 */
export function startUiServer(databaseUrl: string, apiToken: string): Promise<Server> {
  return startServer(
    {
      ...DEFAULTS,
      databaseUrl,
      port: 0,
      apiToken,
      retrySchedule: [200],
      allowPrivateNetworks: true,
      logLevel: 'silent',
    },
    pino({ level: 'silent' }),
  );
}
