import { describe, expect, it } from 'vitest';
import type { StoredEmail } from '../src/mailbox.js';
import { type Facts, judge } from '../src/verdict.js';

const email = (paymentId: string, eventType: string, subject: string): StoredEmail => ({
  receivedAt: '2026-12-03T00:00:00.000Z',
  from: 'shop@example.test',
  to: ['ada@example.test'],
  subject,
  paymentId,
  eventType,
  webhookId: 'msg_1',
  text: '',
});

const facts = (): Facts => ({
  events: [{ orderId: 'order-1', paymentId: 'pay_1', type: 'payment.succeeded', messageId: 'msg_1' }],
  exchanges: [],
  chaos: [],
});

describe('the demo verdict', () => {
  it('passes with exactly one email per event', () => {
    expect(judge(facts(), [email('pay_1', 'payment.succeeded', 'Payment received for order-1')]).ok).toBe(
      true,
    );
  });

  it('fails on a second email, a missing one, or an email nobody paid for', () => {
    const one = email('pay_1', 'payment.succeeded', 'Payment received for order-1');
    expect(judge(facts(), [one, one]).ok).toBe(false);
    expect(judge(facts(), []).ok).toBe(false);
    expect(
      judge(facts(), [one, email('pay_x', 'payment.succeeded', 'Payment received for order-6666')]).ok,
    ).toBe(false);
  });

  it('fails when a refusal has no reason or a chaos toggle did not happen', () => {
    const one = email('pay_1', 'payment.succeeded', 'Payment received for order-1');
    const unexplained = facts();
    unexplained.exchanges.push({
      webhookId: 'msg_1',
      userAgent: 'Hookline/0.1.0',
      orderId: 'order-1',
      eventType: 'payment.succeeded',
      attempt: 1,
      copy: 1,
      status: 500,
      code: null,
      senderGaveUp: false,
      body: '{}',
    });
    expect(judge(unexplained, [one]).ok).toBe(false);
    const calm = facts();
    calm.chaos.push({ toggle: 'slow shop', happened: false, evidence: 'never timed out' });
    expect(judge(calm, [one]).ok).toBe(false);
  });
});
