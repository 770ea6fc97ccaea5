/**
 * The payment service: completing a payment (POST /payments) publishes
 * `payment.succeeded` through Hookline with the official svix client, with
 * eventId = the payment id, so publishing it again (a retry after a timeout,
 * POST /payments/:id/publish) is refused by Hookline instead of becoming a
 * second event. POST /payments/:id/refund publishes `payment.refunded`.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApiException, Svix } from 'svix';
import { env, report } from './child.js';

/** The payload of both events, in the Standard Webhooks shape {type, timestamp, data}. */
export interface PaymentEvent {
  type: 'payment.succeeded' | 'payment.refunded';
  timestamp: string;
  data: { paymentId: string; orderId: string; amount: number; currency: string; email: string };
}

export type PublishResult = { published: true; messageId: string } | { published: false; reason: string };

const appUid = env('APP_UID');
const svix = new Svix(env('HOOKLINE_TOKEN'), { serverUrl: env('HOOKLINE_URL') });
const payments = new Map<string, PaymentEvent['data']>();

async function publish(
  type: PaymentEvent['type'],
  eventId: string,
  data: PaymentEvent['data'],
): Promise<PublishResult> {
  const payload: PaymentEvent = { type, timestamp: new Date().toISOString(), data };
  try {
    const message = await svix.message.create(appUid, { eventType: type, eventId, payload });
    report({ event: 'published', type, eventId, messageId: message.id, orderId: data.orderId });
    return { published: true, messageId: message.id };
  } catch (error) {
    // 409: Hookline already has a message with this eventId, so this publish was a repeat.
    if (error instanceof ApiException && error.code === 409) {
      const reason = `409 from Hookline: ${(error.body as { detail?: string }).detail ?? 'eventId already used'}`;
      report({ event: 'publish-refused', type, eventId, orderId: data.orderId, reason });
      return { published: false, reason };
    }
    throw error;
  }
}

const app = express();
app.use(express.json());
app.post('/payments', async (req, res) => {
  const { orderId, amount, currency, email } = req.body as Omit<PaymentEvent['data'], 'paymentId'>;
  const paymentId = `pay_${randomBytes(6).toString('hex')}`;
  const data = { paymentId, orderId, amount, currency, email };
  payments.set(paymentId, data);
  report({ event: 'completed', ...data });
  res.status(201).json({ paymentId, ...(await publish('payment.succeeded', paymentId, data)) });
});
app.post('/payments/:id/publish', async (req, res) => {
  const data = payments.get(req.params.id);
  if (!data) return void res.status(404).json({ code: 'not_found' });
  res.json(await publish('payment.succeeded', data.paymentId, data));
});
app.post('/payments/:id/refund', async (req, res) => {
  const data = payments.get(req.params.id);
  if (!data) return void res.status(404).json({ code: 'not_found' });
  report({ event: 'refunded', ...data });
  res.json(await publish('payment.refunded', `${data.paymentId}.refund`, data));
});

await svix.application.getOrCreate({ name: 'Shop', uid: appUid });
const server = app.listen(0, '127.0.0.1', () => {
  report({ event: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
