/**
 * The shop: an Express app that receives Hookline's webhooks at /webhooks with
 * @hookline/verify (installed from its npm pack tarball), runs each event once
 * through the idempotency guard on a SQLite file, and emails the customer.
 *
 * POST /chaos arms one misbehaviour for one order, so the runner can script the
 * failures a real shop meets: {orderId, mode: 'crash-before-answer' | 'slow'}.
 */
import { createIdempotencyGuard, expressWebhook, sqliteStore } from '@hookline/verify';
import Database from 'better-sqlite3';
import express from 'express';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { env, report } from './child.js';
import type { PaymentEvent } from './payments.js';

const secret = env('WEBHOOK_SECRET');
const db = new Database(env('SHOP_DB'));
db.pragma('journal_mode = WAL');
const guard = createIdempotencyGuard(sqliteStore(db));
const mail = nodemailer.createTransport({
  host: '127.0.0.1',
  port: Number(env('SMTP_PORT')),
  secure: false,
  ignoreTLS: true,
});
// Longer than Hookline's request timeout in the demo (1 s), so a slow answer is a failed attempt.
const slowMs = Number(process.env.SHOP_SLOW_MS ?? 1800);

type Chaos = 'crash-before-answer' | 'slow';
const chaos = new Map<string, Chaos>();

const app = express();
app.post(
  '/webhooks',
  expressWebhook({
    secret,
    idempotency: guard,
    handler: async (event, _req: express.Request, res: express.Response) => {
      const { type, data } = event.payload as PaymentEvent;
      const refund = type === 'payment.refunded';
      const info = await mail.sendMail({
        from: 'shop@example.test',
        to: data.email,
        subject: refund ? `Refund issued for ${data.orderId}` : `Payment received for ${data.orderId}`,
        text: `${refund ? 'We refunded' : 'We received'} ${formatAmount(data.amount, data.currency)} for ${data.orderId} (payment ${data.paymentId}).`,
        headers: { 'X-Payment-Id': data.paymentId, 'X-Event-Type': type, 'X-Webhook-Id': event.id ?? '' },
      });
      report({
        event: 'email-sent',
        to: data.email,
        orderId: data.orderId,
        type,
        webhookId: event.id,
        smtp: info.response,
      });
      const mode = chaos.get(data.orderId);
      chaos.delete(data.orderId);
      if (mode === 'slow') {
        report({ event: 'slow', orderId: data.orderId, ms: slowMs });
        await new Promise((resolve) => setTimeout(resolve, slowMs));
      }
      if (mode === 'crash-before-answer') {
        // The guard records the id as done when this handler returns; the process then
        // dies where the adapter writes the answer, so Hookline never hears back.
        res.end = (() => {
          report({ event: 'crash', orderId: data.orderId, webhookId: event.id });
          process.exit(1);
        }) as never;
      }
    },
  }),
);
app.post('/chaos', express.json(), (req, res) => {
  const { orderId, mode } = req.body as { orderId: string; mode: Chaos };
  chaos.set(orderId, mode);
  res.status(204).end();
});

const formatAmount = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  report({ event: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
