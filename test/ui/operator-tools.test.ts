import type { Browser, Page } from 'playwright-core';
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Server } from '../../src/server.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import {
  browserAvailable,
  expectAccessible,
  launch,
  openPage,
  screenshot,
  signIn,
  startUiServer,
} from './browser.js';

const TOKEN = 'hk_browser_tools_token_0123456789';
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const buttons = (page: Page, name: string | RegExp) => page.getByRole('button', { name });

interface Bucket {
  success: number;
  fail: number;
}
const sum = (data: Bucket[]) =>
  data.reduce((t, b) => ({ success: t.success + b.success, fail: t.fail + b.fail }), { success: 0, fail: 0 });

/**
 * The operator's tools beyond the first flow, in chromium against a running
 * Hookline delivering to a local receiver: delivery charts and sparklines
 * (GET /stats/deliveries), recover and replay-missing with their task's
 * progress, event types, operational webhooks, and the portal's logo.
 */
const suite = browserAvailable ? describe : describe.skip;
suite('operator tools in chromium', () => {
  forEachBackend(
    'browser',
    (backend) => {
      let db: TestDatabase;
      let server: Server;
      let receiver: Receiver;
      let browser: Browser;
      let svix: Svix;
      let good: string;
      let failing: string;
      const api = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${server.url}/api/v1${path}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return (await res.json()) as T;
      };
      const signedIn = async (path: string) => {
        const opened = await openPage(browser);
        await signIn(opened.page, server.url, TOKEN);
        await opened.page.goto(`${server.url}/#${path}`);
        return opened;
      };

      beforeAll(async () => {
        db = await backend.database('tools');
        receiver = await startReceiver();
        server = await startUiServer(db.url, TOKEN);
        svix = new Svix(TOKEN, { serverUrl: server.url });
        await svix.application.create({ name: 'Shop', uid: 'shop' });
        good = (await svix.endpoint.create('shop', { url: `${receiver.url}/hooks/good` })).id;
        failing = (
          await svix.endpoint.create('shop', {
            url: 'http://127.0.0.1:9/refused',
            filterTypes: ['payment.failed'],
          })
        ).id;
        for (let i = 0; i < 4; i++)
          await svix.message.create('shop', { eventType: 'order.paid', payload: { i } });
        for (let i = 0; i < 2; i++)
          await svix.message.create('shop', { eventType: 'payment.failed', payload: { i } });
        await receiver.waitFor(6);
        // The refused endpoint tries each of its two twice (retrySchedule [200]; fewer than the 5 that open its breaker) and gives up.
        const end = Date.now() + 60_000;
        while (
          JSON.stringify(sum((await api<{ data: Bucket[] }>('/stats/deliveries')).data)) !==
          '{"success":6,"fail":4}'
        ) {
          if (Date.now() > end) throw new Error('the deliveries did not settle at 6 succeeded, 4 failed');
          await new Promise((r) => setTimeout(r, 200));
        }
        browser = await launch();
      });
      afterAll(async () => {
        await browser?.close();
        await server?.stop();
        await receiver?.close();
        await db?.drop();
      });

      it('the overview charts the last hour and day from the stats route, with a table as text alternative', async () => {
        const { page, problems } = await signedIn('/');
        const hour = page.getByRole('img', { name: /^Attempts per minute\. Last hour: / });
        await expect.poll(() => hour.count()).toBe(1);
        expect(await hour.getAttribute('aria-label')).toContain('10 attempts, 6 succeeded (60%), 4 failed');
        const day = page.getByRole('img', { name: /^Attempts per hour\. Last day: / });
        expect(await day.getAttribute('aria-label')).toContain('10 attempts, 6 succeeded (60%), 4 failed');
        expect(await page.getByRole('img', { name: 'Success rate per minute, 60% overall.' }).count()).toBe(
          1,
        );
        // Bars: one per minute with attempts (success and fail stacked).
        const minutes = (await api<{ data: Bucket[] }>('/stats/deliveries')).data.filter(
          (b) => b.success + b.fail > 0,
        );
        expect(await page.locator('.chart-bars').first().locator('g').count()).toBe(minutes.length);
        // The numbers as a table, opened by keyboard.
        await page.getByText('Last hour as a table').focus();
        await page.keyboard.press('Enter');
        const table = page.getByRole('table').first();
        await expect.poll(() => table.locator('tbody tr').count()).toBe(minutes.length);
        await expectAccessible(page, 'overview with charts');
        await screenshot(page, 'charts');
        expect(problems).toEqual([]);
      });

      it('each endpoint shows its success rate over the last day as a sparkline', async () => {
        const { page, problems } = await signedIn('/apps/shop');
        const goodSpark = page.getByRole('img', {
          name: `Success rate of ${receiver.url}/hooks/good, last day: 100% of 6 attempts succeeded`,
        });
        await expect.poll(() => goodSpark.count()).toBe(1);
        expect(
          await page
            .getByRole('img', {
              name: 'Success rate of http://127.0.0.1:9/refused, last day: 0% of 4 attempts succeeded',
            })
            .count(),
        ).toBe(1);
        await expectAccessible(page, 'endpoints with sparklines');
        await screenshot(page, 'endpoints');
        expect(problems).toEqual([]);
      });

      it('recovers failures and replays missing messages by keyboard, following each task to its end', async () => {
        const late = await svix.endpoint.create('shop', { url: `${receiver.url}/hooks/late` });
        const { page, problems } = await signedIn(`/apps/shop/endpoints/${late.id}`);
        await page.getByLabel('Since').waitFor();
        // From Recover failed, Tab reaches Replay missing (the date fields before them take Tab per part).
        await buttons(page, 'Recover failed').focus();
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Replay missing');
        const seen = receiver.requests.length;
        await page.keyboard.press('Enter');
        const status = page.locator('[data-task-status]');
        await expect
          .poll(() => status.first().textContent())
          .toBe('Replay missing finished: 6 missing messages queued.');
        const arrived = await receiver.waitFor(seen + 6);
        expect(arrived.slice(seen).filter((r) => r.url.endsWith('/hooks/late'))).toHaveLength(6);
        await expectAccessible(page, 'endpoint after replay');
        await screenshot(page, 'replay');

        await page.goto(`${server.url}/#/apps/shop/endpoints/${failing}`);
        await buttons(page, 'Recover failed').click();
        await expect
          .poll(() => status.first().textContent())
          .toBe('Recover finished: 2 failed deliveries queued again.');
        expect(good).toMatch(/^ep_/);
        expect(problems).toEqual([]);
      });

      it('manages event types: create with a schema and an example, edit the example, archive', async () => {
        const { page, problems } = await signedIn('/');
        await page.getByRole('link', { name: 'Event types' }).click();
        await page.getByLabel('Name').fill('invoice.paid');
        await page.getByLabel('Description').fill('An invoice was paid');
        await page.getByLabel('Payload schema').fill('{"type": "object", "required": ["invoice"]}');
        await page.getByLabel('Example payload').fill('{not json');
        await buttons(page, 'Create event type').click();
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('Example is not JSON');
        await page.getByLabel('Example payload').fill('{"invoice": "in_1"}');
        await buttons(page, 'Create event type').click();
        await expect.poll(() => page.getByRole('heading', { name: 'invoice.paid' }).count()).toBe(1);
        expect((await svix.eventType.get('invoice.paid')).schemas).toEqual({
          '1': { type: 'object', required: ['invoice'], examples: [{ invoice: 'in_1' }] },
        });
        await page.getByLabel('Example payload').fill('{"invoice": "in_2"}');
        await buttons(page, 'Save event type').click();
        await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved.');
        expect((await svix.eventType.get('invoice.paid')).schemas?.['1']).toMatchObject({
          examples: [{ invoice: 'in_2' }],
        });
        await expectAccessible(page, 'event type');
        await buttons(page, 'Archive event type').click();
        await expect.poll(async () => (await svix.eventType.get('invoice.paid')).archived).toBe(true);
        await page.getByRole('link', { name: 'Event types' }).first().click();
        await expect
          .poll(() => page.getByRole('row', { name: /invoice\.paid/ }).textContent())
          .toContain('archived');
        await expectAccessible(page, 'event types');
        await screenshot(page, 'event-types');
        expect(problems).toEqual([]);
      });

      it('adds, disables and deletes an operational webhook endpoint', async () => {
        const { page, problems } = await signedIn('/');
        await page.getByRole('link', { name: 'Operational webhooks' }).click();
        await expect.poll(() => page.getByText('No operational endpoints.').count()).toBe(1);
        await page.getByLabel('Endpoint URL').fill(`${receiver.url}/ops`);
        await page.getByLabel('Description').fill('Pager');
        await page.getByRole('checkbox', { name: 'endpoint.disabled' }).check();
        await buttons(page, 'Add operational endpoint').click();
        const row = page.getByRole('row', { name: new RegExp(`${receiver.url}/ops`) });
        await expect.poll(() => row.count()).toBe(1);
        const [ops] = (await svix.operationalWebhookEndpoint.list()).data;
        expect(ops).toMatchObject({
          url: `${receiver.url}/ops`,
          description: 'Pager',
          filterTypes: ['endpoint.disabled'],
        });
        await buttons(page, `Disable ${receiver.url}/ops`).click();
        await expect
          .poll(async () => (await svix.operationalWebhookEndpoint.get(ops!.id)).disabled)
          .toBe(true);
        await buttons(page, `Reveal secret of ${receiver.url}/ops`).click();
        await expect.poll(() => page.locator('code.secret').textContent()).toMatch(/^whsec_/);
        await expectAccessible(page, 'operational webhooks');
        await screenshot(page, 'operational');
        await buttons(page, `Delete ${receiver.url}/ops`).click();
        await expect.poll(async () => (await svix.operationalWebhookEndpoint.list()).data.length).toBe(0);
        expect(problems).toEqual([]);
      });

      it('the portal shows an https logo from the query, drops any other, and offers recover without operator tools', async () => {
        const { url } = await svix.authentication.appPortalAccess('shop', {});
        const logo = 'https://logo.example/brand.svg';
        const { page, problems } = await openPage(browser);
        await page.route(logo, (route) =>
          route.fulfill({
            contentType: 'image/svg+xml',
            body: '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#0f766e"/></svg>',
          }),
        );
        await page.goto(
          url.replace('/portal#', `/portal?accent=%230f766e&logo=${encodeURIComponent(logo)}#`),
        );
        await expect.poll(() => page.locator('img.logo').getAttribute('src')).toBe(logo);
        await expect
          .poll(() => page.locator('img.logo').evaluate((img: HTMLImageElement) => img.naturalWidth))
          .toBe(64);
        await page.getByRole('link', { name: `${receiver.url}/hooks/good` }).click();
        await expect.poll(() => buttons(page, 'Recover failed').count()).toBe(1);
        expect(await buttons(page, 'Replay missing').count()).toBe(0);
        await expectAccessible(page, 'portal with logo');
        await screenshot(page, 'portal-theme');
        expect(problems).toEqual([]);

        for (const bad of ['javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'http://logo.example/x.png']) {
          const other = await openPage(browser);
          const again = await svix.authentication.appPortalAccess('shop', {});
          await other.page.goto(again.url.replace('/portal#', `/portal?logo=${encodeURIComponent(bad)}#`));
          await expect.poll(() => other.page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
          expect(await other.page.locator('img').count(), bad).toBe(0);
          expect(other.problems).toEqual([]);
        }
      });

      it('the portal takes its look from the access options, the query overriding them setting by setting', async () => {
        const logo = 'https://logo.example/options.svg';
        const res = await fetch(`${server.url}/api/v1/auth/app-portal-access/shop`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ portalTheme: { theme: 'dark', accent: '#f0a8c0', logo } }),
        });
        const { url } = (await res.json()) as { url: string };
        const look = async (page: Page) =>
          page.evaluate(() => ({
            theme: document.documentElement.dataset.theme,
            accent: document.documentElement.style.getPropertyValue('--accent'),
            logo: document.querySelector('img.logo')?.getAttribute('src') ?? null,
          }));
        const { page, problems } = await openPage(browser);
        await page.route(logo, (route) =>
          route.fulfill({
            contentType: 'image/svg+xml',
            body: '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#f0a8c0"/></svg>',
          }),
        );
        await page.goto(url);
        await expect.poll(() => page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
        await expect.poll(() => look(page)).toEqual({ theme: 'dark', accent: '#f0a8c0', logo });
        await expectAccessible(page, 'portal themed by its access options');
        await screenshot(page, 'portal-options-theme');
        expect(problems).toEqual([]);

        // The embedding page's query wins where it says something; the rest stays as issued.
        const res2 = await fetch(`${server.url}/api/v1/auth/app-portal-access/shop`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ portalTheme: { theme: 'dark', accent: '#f0a8c0' } }),
        });
        const themed = ((await res2.json()) as { url: string }).url;
        const other = await openPage(browser, { colorScheme: 'light' });
        await other.page.goto(themed.replace('/portal#', '/portal?theme=light#'));
        await expect.poll(() => other.page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
        await expect.poll(() => look(other.page)).toEqual({ theme: 'light', accent: '#f0a8c0', logo: null });
        expect(other.problems).toEqual([]);
      });
    },
    ['sqlite'],
  );
});
