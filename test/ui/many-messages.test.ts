import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { openStore } from '../../src/store/open.js';
import type { MessageInput } from '../../src/store/store.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { browserAvailable, launch, openPage, signIn } from './browser.js';

const TOKEN = 'hk_browser_bulk_token_0123456789';
const MESSAGES = 100_000;
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

/**
 * No page loads every row: an application with 100,000 messages (written
 * straight into the store, 1,000 a transaction, before the server starts)
 * opens its message list with one page of 25, and every API call the pages
 * make asks for a bounded `limit`.
 */
const suite = browserAvailable ? describe : describe.skip;
suite('the message list with 100,000 messages', () => {
  forEachBackend(
    'browser',
    (backend) => {
      let db: TestDatabase;
      let server: Server;
      let browser: Browser;
      let appId: string;
      beforeAll(async () => {
        db = await backend.database('bulk');
        const store = await openStore(db.url);
        const app = await store.apps.create({ uid: 'bulk', name: 'Bulk', rateLimit: null, metadata: {} });
        appId = app.id;
        for (let done = 0; done < MESSAGES; done += 1000) {
          const batch: MessageInput[] = Array.from({ length: 1000 }, (_, i) => ({
            appId,
            eventType: 'order.paid',
            eventId: null,
            payload: JSON.stringify({ n: done + i }),
            channels: null,
            tags: null,
          }));
          await store.messages.createBatch(batch);
        }
        await store.close();
        server = await startServer(
          { ...DEFAULTS, databaseUrl: db.url, port: 0, apiToken: TOKEN, logLevel: 'silent' },
          pino({ level: 'silent' }),
        );
        browser = await launch();
      });
      afterAll(async () => {
        await browser?.close();
        await server?.stop();
        await db?.drop();
      });

      it('shows one page of 25 and asks the API for bounded pages only', async () => {
        const { page, problems } = await openPage(browser);
        const calls: URL[] = [];
        page.on('request', (r) => {
          const url = new URL(r.url());
          if (url.pathname.startsWith('/api/v1/')) calls.push(url);
        });
        await signIn(page, server.url, TOKEN);
        await page.goto(`${server.url}/#/apps/bulk/msgs`);
        const rows = page.getByRole('link', { name: /^msg_/ });
        await expect.poll(() => rows.count()).toBe(25);
        expect(await page.locator('main tbody tr').count()).toBe(25);
        // The newest first: the last message written heads the list.
        await expect.poll(() => page.locator('main tbody tr').first().textContent()).toContain('order.paid');
        await page.getByRole('button', { name: 'Next' }).click();
        await expect.poll(() => calls.filter((u) => u.pathname.endsWith('/msg')).length).toBe(2);
        await expect.poll(() => rows.count()).toBe(25);

        const lists = calls.filter((u) => u.pathname === `/api/v1/app/bulk/msg`);
        expect(lists).toHaveLength(2);
        for (const u of lists) {
          expect(u.searchParams.get('limit')).toBe('25');
          expect(u.searchParams.get('with_content')).toBe('false');
        }
        // Every list call of the session (apps, endpoints, event types...) names a limit of at most 250;
        // the rest read one object, or (stats/deliveries) a bounded series of at most 1,440 buckets.
        for (const u of calls) {
          if (u.pathname.endsWith('/session') || /\/app\/[^/]+$/.test(u.pathname)) continue;
          if (u.pathname === '/api/v1/auth/dashboard-sign-in/exchange') continue;
          if (u.pathname.endsWith('/stats') || u.pathname === '/api/v1/stats/deliveries') continue;
          const limit = Number(u.searchParams.get('limit'));
          expect(limit, u.pathname).toBeGreaterThan(0);
          expect(limit, u.pathname).toBeLessThanOrEqual(250);
        }
        expect(problems).toEqual([]);
      });
    },
    ['sqlite'],
  );
});
