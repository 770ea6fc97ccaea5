import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVerifyInstalled } from '../../../scripts/pack-verify.js';
import type { StoredEmail } from '../src/mailbox.js';
import { type DemoResult, TOGGLES, runDemo } from '../src/scenario.js';

const exampleDir = new URL('..', import.meta.url).pathname;
const ORDERS = ['order-1001', 'order-1002', 'order-1003', 'order-1004', 'order-1005', 'order-1006'];

/** `npm run demo` with every chaos toggle, judged from what the mail sink stored. */
describe('the shop-payments demo, every chaos toggle on', () => {
  let result: DemoResult;
  let emails: StoredEmail[];
  let story: string;

  beforeAll(async () => {
    // The shop imports @hookline/verify as installed from the npm pack tarball.
    await ensureVerifyInstalled(exampleDir);
    result = await runDemo({ toggles: new Set(TOGGLES), echo: false, keepRunning: true });
    story = result.timeline.lines.join('\n');
    // The mail sink's own page over its store, not anything the runner printed.
    const page = await fetch(`${result.stack!.mailPageUrl}/emails.json`);
    emails = (await page.json()) as StoredEmail[];
  }, 240_000);

  afterAll(() => result?.stack?.stop());

  it('emails exactly once per completed payment and per refund', () => {
    const subjects = emails.map((e) => e.subject).sort();
    expect(subjects, story).toEqual(
      [...ORDERS.map((o) => `Payment received for ${o}`), 'Refund issued for order-1001'].sort(),
    );
    for (const event of result.facts.events) {
      const matching = emails.filter((e) => e.paymentId === event.paymentId && e.eventType === event.type);
      expect(matching, `${event.orderId} ${event.type}\n${story}`).toHaveLength(1);
      expect(matching[0]!.webhookId).toBe(event.messageId);
    }
  });

  it('sends nothing for the forged payment or the replay, and refuses both with a reason', () => {
    expect(
      emails.some((e) => e.subject.includes('order-6666') || e.to.includes('mallory@example.test')),
    ).toBe(false);
    expect(result.facts.forged?.result).toEqual({ status: 401, code: 'NO_MATCHING_SIGNATURE' });
    expect(result.facts.replay?.result).toEqual({ status: 400, code: 'TIMESTAMP_TOO_OLD' });
  });

  it('really went through each failure, and Hookline stored one message for a payment published twice', () => {
    expect(
      result.facts.chaos.map((c) => [c.toggle, c.happened]),
      story,
    ).toEqual([
      ['shop down', true],
      ['crash before answering', true],
      ['two copies at once', true],
      ['slow shop', true],
    ]);
    expect(result.facts.doublePublish?.messagesWithEventId).toBe(1);
    expect(result.facts.hooklineStats).toEqual({ success: 7, pending: 0, sending: 0, fail: 0 });
  });

  it('passes its own verdict', () => {
    expect(result.verdict.ok, story).toBe(true);
  });
});
