/**
 * The mail sink: a real SMTP server (smtp-server) that accepts every email and
 * appends it to MAIL_STORE (one JSON line each), plus a tiny page listing them
 * (GET / as HTML, GET /emails.json). The demo's verdict is read from that file.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { env, report } from './child.js';
import { type StoredEmail, parseEmail, readMailbox } from './mailbox.js';

const store = env('MAIL_STORE');

const smtp = new SMTPServer({
  // A local sink: no TLS, no login, every sender and recipient accepted.
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const { headers, text } = parseEmail(Buffer.concat(chunks).toString('utf8'));
      const email: StoredEmail = {
        receivedAt: new Date().toISOString(),
        from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        subject: headers.get('subject') ?? '',
        paymentId: headers.get('x-payment-id') ?? null,
        eventType: headers.get('x-event-type') ?? null,
        webhookId: headers.get('x-webhook-id') ?? null,
        text,
      };
      // Stored before the 250 answer: an email the shop was told was sent is on disk.
      appendFileSync(store, `${JSON.stringify(email)}\n`);
      report({ event: 'stored', email });
      callback();
    });
  },
});

const page = createServer((req, res) => {
  const emails = readMailbox(store);
  if (req.url === '/emails.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(emails, null, 2));
    return;
  }
  const rows = emails
    .map(
      (e) =>
        `<tr><td>${html(e.receivedAt)}</td><td>${html(e.to.join(', '))}</td><td>${html(e.subject)}</td>` +
        `<td>${html(e.paymentId ?? '')}</td><td>${html(e.webhookId ?? '')}</td></tr>`,
    )
    .join('\n');
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(
      `<!doctype html><title>Mail sink</title><h1>${emails.length} emails</h1>` +
        '<table border="1" cellpadding="4"><tr><th>received</th><th>to</th><th>subject</th><th>payment</th><th>webhook-id</th></tr>' +
        `${rows}</table><p><a href="/emails.json">emails.json</a></p>`,
    );
});

const html = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

smtp.listen(0, '127.0.0.1', () => {
  page.listen(0, '127.0.0.1', () => {
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    report({ event: 'ready', url, smtpPort });
  });
});
process.on('SIGTERM', () => smtp.close(() => page.close(() => process.exit(0))));
