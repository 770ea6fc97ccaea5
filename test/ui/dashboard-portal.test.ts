import type { Browser, Page } from 'playwright-core';
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Server } from '../../src/server.js';
import { runCli } from '../cli/harness.js';
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

const TOKEN = 'hk_browser_test_token_0123456789';
// A whole flow in a browser on a loaded machine takes longer than the suite's 60 s default.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

/** Waits until `check` passes, reloading the page's data with `refresh` between tries. */
async function until(check: () => Promise<boolean>, refresh: () => Promise<unknown>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await refresh();
    await new Promise((r) => setTimeout(r, 200));
  }
}

const buttons = (page: Page, name: string | RegExp) => page.getByRole('button', { name });

/**
 * The dashboard and the portal in a real browser (Debian's chromium), against
 * a running Hookline (API, worker, sender thread) delivering to a local
 * receiver: what an operator and a customer do, as they do it. On both
 * backends (about 20 s each): these are the flows an operator on PostgreSQL
 * runs too; the other browser files stay on SQLite.
 */
const suite = browserAvailable ? describe : describe.skip;
suite('dashboard and app portal in chromium', () => {
  forEachBackend('browser', (backend) => {
    let db: TestDatabase;
    let server: Server;
    let receiver: Receiver;
    let browser: Browser;
    let svix: Svix;
    beforeAll(async () => {
      db = await backend.database('ui');
      receiver = await startReceiver();
      server = await startUiServer(db.url, TOKEN);
      svix = new Svix(TOKEN, { serverUrl: server.url });
      await svix.eventType.create({
        name: 'order.paid',
        description: 'An order was paid',
        schemas: { '1': { type: 'object', examples: [{ order: 'ord_1', amount: 4200 }] } },
      });
      await svix.eventType.create({ name: 'order.refunded', description: 'An order was refunded' });
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await receiver?.close();
      await db?.drop();
    });

    it('the operator signs in with the printed link, creates an app and an endpoint, tests, resends, rotates, disables', async () => {
      const cli = await runCli(['dashboard', '--server', server.url], {
        env: { HOOKLINE_API_TOKEN: TOKEN },
      });
      expect(cli.code, cli.stderr).toBe(0);
      const link = cli.stdout.split('\n')[0] ?? '';
      // The link carries a one-time code, never the API token.
      expect(link).toMatch(/\/#code=hkc_/);
      expect(link).not.toContain(TOKEN);

      const { page, problems } = await openPage(browser);
      await page.goto(link);
      await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
      // The code leaves the address bar at once; the tab holds a session token, not the API token.
      expect(page.url()).not.toContain('code=');
      const held = await page.evaluate(() => sessionStorage.getItem('hookline.apiToken'));
      expect(held).toMatch(/^hko_/);
      await expectAccessible(page, 'overview (empty)');

      // The same link a second time (another tab, someone reading over a shoulder) opens nothing.
      const reused = await openPage(browser);
      await reused.page.goto(link);
      await expect
        .poll(() => reused.page.getByRole('alert').textContent())
        .toContain('already used or has expired');
      expect(await reused.page.getByRole('heading', { name: 'Overview' }).count()).toBe(0);
      await expectAccessible(reused.page, 'reused sign-in link');
      await screenshot(reused.page, 'dashboard-link-used');
      await reused.page.context().close();

      await page.getByRole('link', { name: 'Applications' }).click();
      await page.getByLabel('Name').fill('Acme Shop');
      await page.getByLabel('Uid').fill('acme');
      await buttons(page, 'Create application').click();
      await page.getByRole('link', { name: 'Add endpoint' }).click();
      await expectAccessible(page, 'add endpoint');
      await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks/acme`);
      await page.getByLabel('Description').fill('Acme order service');
      await buttons(page, 'Create endpoint').click();
      await expect
        .poll(() => page.getByRole('heading', { name: `${receiver.url}/hooks/acme` }).count())
        .toBe(1);
      const endpointUrl = page.url();

      // A test event reaches the receiver, and its attempt shows up.
      await page.getByLabel('Event type').fill('order.paid');
      await buttons(page, 'Send test event').click();
      const [first] = await receiver.waitFor(1);
      expect(JSON.parse(first?.body ?? '')).toEqual({ order: 'ord_1', amount: 4200 });
      const attemptLinks = page.getByRole('link', { name: /^atmpt_/ });
      await until(
        async () => (await attemptLinks.count()) === 1,
        () => buttons(page, 'Refresh').click(),
      );
      await expectAccessible(page, 'endpoint');
      await screenshot(page, 'endpoint', true);

      await attemptLinks.first().click();
      await expect.poll(() => page.getByRole('heading', { name: /^Attempt atmpt_/ }).count()).toBe(1);
      await expect.poll(() => page.getByRole('region', { name: 'Response body' }).textContent()).toBe('ok');
      await expectAccessible(page, 'attempt');
      await screenshot(page, 'attempt');

      // Resend from the message page: a second request arrives, a manual attempt is listed.
      await page.getByRole('link', { name: /^msg_/ }).first().click();
      await expect.poll(() => page.getByRole('heading', { name: /^Message msg_/ }).count()).toBe(1);
      await buttons(page, 'Resend').click();
      await receiver.waitFor(2);
      await until(
        async () => (await page.getByRole('link', { name: /^atmpt_/ }).count()) === 2,
        () => buttons(page, 'Refresh').click(),
      );
      await expectAccessible(page, 'message');
      await screenshot(page, 'message');

      // The secret: revealed, rotated (the new one is shown), the API agrees.
      await page.goto(endpointUrl);
      await buttons(page, 'Reveal secret').click();
      const secret = page.locator('code.secret');
      const before = await secret.textContent();
      expect(before).toMatch(/^whsec_/);
      await buttons(page, 'Rotate secret').click();
      await expect.poll(() => secret.textContent()).not.toBe(before);
      const epId = endpointUrl.split('/endpoints/')[1] ?? '';
      expect((await svix.endpoint.getSecret('acme', epId)).key).toBe(await secret.textContent());

      await buttons(page, 'Disable endpoint').click();
      await expect.poll(() => buttons(page, 'Enable endpoint').count()).toBe(1);
      expect((await svix.endpoint.get('acme', epId)).disabled).toBe(true);
      await buttons(page, 'Enable endpoint').click();
      await expect.poll(() => buttons(page, 'Disable endpoint').count()).toBe(1);
      expect((await svix.endpoint.get('acme', epId)).disabled).toBe(false);

      // One endpoint refuses connections until its breaker opens (5 failures in a row), another is disabled.
      const failing = await svix.endpoint.create('acme', {
        url: 'http://127.0.0.1:9/refused',
        filterTypes: ['payment.failed'],
      });
      const parked = await svix.endpoint.create('acme', { url: 'http://127.0.0.1:9/parked' });
      await svix.endpoint.patch('acme', parked.id, { disabled: true });
      for (let i = 0; i < 3; i++)
        await svix.message.create('acme', { eventType: 'payment.failed', payload: { i } });
      // Hookline's `breaker` field, read over plain HTTP (the svix client keeps only Svix's fields).
      const breakerOpen = async () => {
        const res = await fetch(`${server.url}/api/v1/app/acme/endpoint/${failing.id}/stats`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await res.json()) as { breaker: { open: boolean } }).breaker.open;
      };
      await until(breakerOpen, async () => {}, 30_000);
      // A third fails one message for good (two attempts: not enough to open its breaker).
      const gaveUp = await svix.endpoint.create('acme', {
        url: 'http://127.0.0.1:9/gave-up',
        filterTypes: ['refund.failed'],
      });
      await svix.message.create('acme', { eventType: 'refund.failed', payload: {} });
      const exhausted = async () => {
        const res = await fetch(`${server.url}/api/v1/app/acme/endpoint/${gaveUp.id}/stats`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await res.json()) as { fail: number }).fail === 1;
      };
      await until(exhausted, async () => {}, 30_000);
      await page.getByRole('link', { name: 'Overview' }).click();
      await expect.poll(() => page.getByRole('cell', { name: 'http://127.0.0.1:9/refused' }).count()).toBe(1);
      const rows = page.getByRole('table', { name: 'Endpoints, failing first' }).locator('tbody tr');
      expect(await rows.nth(0).textContent()).toContain('http://127.0.0.1:9/refused');
      expect(await rows.nth(0).textContent()).toContain('next probe');
      expect(await rows.nth(1).textContent()).toContain('http://127.0.0.1:9/parked');
      // Out of retries in the last day: next, above the healthy endpoint, with its count.
      expect(await rows.nth(2).textContent()).toContain('http://127.0.0.1:9/gave-up');
      expect(await rows.nth(2).getByRole('cell').nth(4).textContent()).toMatch(/^1 last /);
      expect(await rows.nth(3).textContent()).toContain(`${receiver.url}/hooks/acme`);
      const tiles = page.getByRole('list', { name: 'Backlog by state' });
      expect(await tiles.textContent()).toContain('oldest due delivery');
      expect(await tiles.textContent()).toMatch(/[1-9]\d* failed for good/);
      await expectAccessible(page, 'overview');
      await screenshot(page, 'overview');

      // Messages, filtered on the server.
      await page.goto(`${server.url}/#/apps/acme/msgs`);
      await page.getByLabel('Event type').fill('order.refunded');
      await buttons(page, 'Filter').click();
      await expect.poll(() => page.getByText('No messages.').count()).toBe(1);
      await page.getByLabel('Event type').fill('order.paid');
      await buttons(page, 'Filter').click();
      await expect.poll(() => page.getByRole('link', { name: /^msg_/ }).count()).toBe(1);
      await expectAccessible(page, 'messages');

      // Signing out revokes the session token on the server: a copy of it opens nothing after.
      await buttons(page, 'Sign out').click();
      await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
      await expect
        .poll(
          async () =>
            (await fetch(`${server.url}/api/v1/app`, { headers: { authorization: `Bearer ${held}` } }))
              .status,
        )
        .toBe(401);
      expect(problems).toEqual([]);
    });

    it('a payload with <script>, <img onerror> and javascript: links renders as inert text', async () => {
      await svix.application.create({ name: 'Hostile', uid: 'hostile' });
      const hostile = {
        script: '<script>window.__pwned = "script"</script>',
        img: '<img src=x onerror="window.__pwned = \'img\'">',
        link: '<a href="javascript:window.__pwned = \'link\'">click</a>',
        url: 'javascript:window.__pwned="url"',
      };
      const msg = await svix.message.create('hostile', {
        eventType: 'hostile.event',
        payload: hostile,
        tags: ['<i>tag</i>'],
      });
      const { page, problems } = await openPage(browser);
      await signIn(page, server.url, TOKEN);
      await page.goto(`${server.url}/#/apps/hostile/msgs/${msg.id}`);
      const payload = page.getByRole('region', { name: 'Payload' });
      await expect.poll(() => payload.textContent()).toContain('<script>window.__pwned');
      expect(JSON.parse((await payload.textContent()) ?? '')).toEqual(hostile);
      expect(await page.locator('main img, main script, main i').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      for (const link of await page.locator('main a').all()) await link.hover();
      expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
      await page.goto(`${server.url}/#/apps/hostile/msgs`);
      await expect.poll(() => page.getByRole('cell', { name: '<i>tag</i>' }).count()).toBe(1);
      expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
      expect(problems).toEqual([]);
    });

    it('lists page on the server: 25 messages a page, the next page on demand', async () => {
      await svix.application.create({ name: 'Busy', uid: 'busy' });
      for (let i = 0; i < 30; i++) {
        await svix.message.create('busy', { eventType: 'order.paid', payload: { i } });
      }
      const { page, problems } = await openPage(browser);
      await signIn(page, server.url, TOKEN);
      await page.goto(`${server.url}/#/apps/busy/msgs`);
      const rows = page.getByRole('link', { name: /^msg_/ });
      await expect.poll(() => rows.count()).toBe(25);
      await buttons(page, 'Next').click();
      await expect.poll(() => rows.count()).toBe(5);
      await buttons(page, 'First page').click();
      await expect.poll(() => rows.count()).toBe(25);
      expect(problems).toEqual([]);
    });

    it('a customer opens a portal link, adds an endpoint with the event-type picker, sees a delivery, resends it', async () => {
      const { url, token } = await svix.authentication.appPortalAccess('acme', {});
      // The same token is refused on another app by the API itself.
      const other = await fetch(`${server.url}/api/v1/app/hostile/msg`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(other.status).toBe(403);

      const { page, problems } = await openPage(browser);
      await page.goto(`${url.replace('/portal#', '/portal?accent=%23b4235a#')}`);
      await expect.poll(() => page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
      expect(page.url()).not.toContain(token);
      await expectAccessible(page, 'portal endpoints');
      await page.getByRole('link', { name: 'Add endpoint' }).click();
      await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks/customer`);
      await page.getByRole('checkbox', { name: 'order.refunded' }).check();
      await expectAccessible(page, 'portal add endpoint');
      await buttons(page, 'Create endpoint').click();
      await expect
        .poll(() => page.getByRole('heading', { name: `${receiver.url}/hooks/customer` }).count())
        .toBe(1);
      const endpoint = (await svix.endpoint.list('acme')).data.find((e) => e.url.endsWith('/hooks/customer'));
      expect(endpoint?.filterTypes).toEqual(['order.refunded']);

      const seen = receiver.requests.length;
      const msg = await svix.message.create('acme', {
        eventType: 'order.refunded',
        payload: { order: 'ord_9' },
      });
      await receiver.waitFor(seen + 1);
      await page.getByRole('link', { name: 'Messages' }).click();
      await page.getByRole('link', { name: msg.id }).click();
      const status = page.getByRole('row', { name: new RegExp(`${receiver.url}/hooks/customer`) });
      await until(
        async () => ((await status.textContent()) ?? '').includes('success'),
        () => buttons(page, 'Refresh').click(),
      );
      await status.getByRole('button', { name: 'Resend' }).click();
      const again = await receiver.waitFor(seen + 2);
      expect(again[seen + 1]?.headers['webhook-id']).toBe(msg.id);
      await expectAccessible(page, 'portal message');

      await page.getByRole('link', { name: 'Endpoints' }).click();
      await expect
        .poll(() => page.getByRole('link', { name: `${receiver.url}/hooks/customer` }).count())
        .toBe(1);
      await screenshot(page, 'portal');

      // Edit, disable, enable, delete: each lands in the API.
      const epId = endpoint?.id ?? '';
      await page.getByRole('link', { name: `${receiver.url}/hooks/customer` }).click();
      await buttons(page, 'Edit endpoint').click();
      await page.getByRole('checkbox', { name: 'order.paid' }).check();
      await page.getByLabel('Channels').fill('eu, us');
      await buttons(page, 'Save endpoint').click();
      await expect.poll(() => buttons(page, 'Save endpoint').count()).toBe(0);
      const edited = await svix.endpoint.get('acme', epId);
      expect([...(edited.filterTypes ?? [])].sort()).toEqual(['order.paid', 'order.refunded']);
      expect(edited.channels).toEqual(['eu', 'us']);
      await page.getByLabel('Header name').fill('X-Customer');
      await page.getByLabel('Header value').fill('cust-42');
      await buttons(page, 'Add header').click();
      await expect.poll(() => page.getByText('X-Customer: cust-42').count()).toBe(1);
      expect((await svix.endpoint.getHeaders('acme', epId)).headers).toEqual({ 'X-Customer': 'cust-42' });
      await buttons(page, 'Disable endpoint').click();
      await expect.poll(async () => (await svix.endpoint.get('acme', epId)).disabled).toBe(true);
      await buttons(page, 'Enable endpoint').click();
      await expect.poll(async () => (await svix.endpoint.get('acme', epId)).disabled).toBe(false);
      await expectAccessible(page, 'portal endpoint');
      await buttons(page, 'Delete endpoint').click();
      await expect.poll(() => page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
      expect((await svix.endpoint.list('acme')).data.map((e) => e.id)).not.toContain(epId);
      expect(problems).toEqual([]);
    });

    it('a read-only link shows no control that changes anything', async () => {
      const { url } = await svix.authentication.appPortalAccess('acme', { readOnly: true });
      const { page, problems } = await openPage(browser, { colorScheme: 'dark' });
      await page.goto(url);
      await expect.poll(() => page.getByRole('heading', { name: 'Endpoints' }).count()).toBe(1);
      expect(await page.getByText('read-only').count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Add endpoint' }).count()).toBe(0);
      await page.getByRole('link', { name: `${receiver.url}/hooks/acme` }).click();
      await expect.poll(() => buttons(page, 'Reveal secret').count()).toBe(1);
      await expectAccessible(page, 'read-only endpoint (dark)');
      const mutating =
        /Disable|Enable|Delete|Edit|Rotate|Send test|Resend|Recover|Replay|Create|Save|Add|Remove/;
      expect(await buttons(page, mutating).count()).toBe(0);
      await page.getByRole('link', { name: 'Messages' }).click();
      await page.getByRole('link', { name: /^msg_/ }).first().click();
      await expect.poll(() => page.getByRole('heading', { name: /^Message msg_/ }).count()).toBe(1);
      expect(await buttons(page, mutating).count()).toBe(0);
      expect(problems).toEqual([]);
    });

    it('signs in and moves around by keyboard alone', async () => {
      const { page, problems } = await openPage(browser);
      await page.goto(`${server.url}/`);
      await page.keyboard.press('Tab');
      await page.keyboard.type(TOKEN);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
      // Brand, Overview, Applications: the third stop opens the applications.
      for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Applications');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('heading', { name: 'Applications' }).count()).toBe(1);
      await page.getByLabel('Name').focus();
      await page.keyboard.type('Keyboard app');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('link', { name: 'Add endpoint' }).count()).toBe(1);
      expect((await svix.application.list()).data.map((a) => a.name)).toContain('Keyboard app');
      expect(problems).toEqual([]);
    });

    it('an expired or revoked link says so', async () => {
      const { url } = await svix.authentication.appPortalAccess('acme', { sessionId: 'to-revoke' });
      await svix.authentication.expireAll('acme', { sessionIds: ['to-revoke'] });
      const { page } = await openPage(browser);
      await page.goto(url);
      await expect
        .poll(() => page.getByRole('heading', { name: 'This link no longer works' }).count())
        .toBe(1);
      expect(await page.getByText('It has expired or was revoked.').count()).toBe(1);
      await expectAccessible(page, 'revoked portal link');
    });
  });
});
