import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/api/openapi/document.js';
import { type ApiHarness, startApi } from '../api/harness.js';
import { forEachBackend } from '../helpers/backends.js';

/**
 * The /docs reference page in a real headless Chromium (Debian's `chromium`;
 * .ci/run installs it): it loads with its strict CSP, renders every operation
 * of the document, and logs no error. Without Chromium the test is skipped
 * with a notice, except under HOOKLINE_REQUIRE_SERVICES=1 (CI), where it fails.
 * `HOOKLINE_SCREENSHOT=1` also writes docs/images/api-docs.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.HOOKLINE_REQUIRE_SERVICES === '1') {
  throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium); HOOKLINE_REQUIRE_SERVICES=1`);
}
if (!haveChromium)
  process.stderr.write(`\n[hookline] SKIPPING the /docs browser test: no Chromium at ${CHROMIUM}\n`);

forEachBackend(
  'the /docs page in Chromium',
  (backend) => {
    let api: ApiHarness;
    let browser: Browser;
    beforeAll(async () => {
      api = await startApi(backend);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    });
    afterAll(async () => {
      await browser?.close();
      await api?.close();
    });

    it.runIf(haveChromium)(
      'loads offline, lists every route of the document, and logs no error',
      async () => {
        // Offline: any request that leaves this server fails the test.
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (msg) => {
          if (msg.type() === 'error' || msg.type() === 'warning')
            problems.push(`console ${msg.type()}: ${msg.text()}`);
        });
        page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
        page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
        const elsewhere: string[] = [];
        await context.route('**/*', (route) => {
          if (route.request().url().startsWith(api.serverUrl)) return route.continue();
          elsewhere.push(route.request().url());
          return route.abort();
        });

        const response = await page.goto(`${api.serverUrl}/docs`);
        expect(response?.status()).toBe(200);
        await page.waitForSelector('section.operation');
        const rendered = await page.$$eval('section.operation', (sections) =>
          sections.map(
            (s) => `${s.getAttribute('data-method')?.toUpperCase()} ${s.getAttribute('data-path')}`,
          ),
        );
        expect(rendered.sort()).toEqual(OPERATIONS.map((op) => `${op.method} ${op.path}`).sort());
        const text = await page.textContent('main');
        expect(text).toContain('/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend');
        expect(text).toContain('maxInFlight');
        const toc = await page.$$eval('#toc a', (links) => links.map((a) => a.textContent));
        expect(toc).toEqual(expect.arrayContaining([expect.stringMatching(/^Application \(\d+\)$/)]));
        // A Hookline field is marked as such in the endpoint's body table.
        const marked = await page.$$eval('#v1\\.endpoint\\.create tr', (rows) =>
          rows
            .filter((r) => r.textContent?.includes('Hookline'))
            .map((r) => r.querySelector('code')?.textContent),
        );
        expect(marked).toEqual(expect.arrayContaining(['secretKind', 'maxInFlight', 'ordered']));

        if (process.env.HOOKLINE_SCREENSHOT === '1') {
          mkdirSync('docs/images', { recursive: true });
          await page.click('#v1\\.application\\.list details summary');
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: 'docs/images/api-docs.png' });
        }
        expect(problems).toEqual([]);
        expect(elsewhere).toEqual([]);
        await context.close();
      },
    );
  },
  ['sqlite'],
);
