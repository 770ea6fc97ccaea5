import { pino } from 'pino';
import { Svix, Webhook } from 'svix';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { eventually } from '../api/harness.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const TOKEN = 'svix-flow-token-0123456789';

/**
 * The whole pattern as a user meets it: the official svix client drives a
 * running Hookline (on each backend, worker, sender thread); a local receiver
 * fails twice, then takes the webhook; the attempts are read back through svix.
 */
forEachBackend('svix client -> Hookline -> receiver', (backend) => {
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Server;
  beforeEach(async () => {
    db = await backend.database('svix_flow');
    receiver = await startReceiver();
    server = await startServer(
      {
        ...DEFAULTS,
        databaseUrl: db.url,
        port: 0,
        apiToken: TOKEN,
        retrySchedule: [50, 100],
        allowPrivateNetworks: true,
      },
      pino({ level: 'silent' }),
    );
  });
  afterEach(async () => {
    await server.stop();
    await receiver.close();
    await db.drop();
  });

  it('retries a failing receiver and delivers with the same webhook-id, every attempt on record', async () => {
    receiver.enqueue({ status: 500, body: 'down' }, { status: 503, body: 'still down' });
    const svix = new Svix(TOKEN, { serverUrl: server.url });
    await svix.application.create({ name: 'Acme Shop', uid: 'acme' });
    const endpoint = await svix.endpoint.create('acme', {
      url: `${receiver.url}/webhooks`,
      filterTypes: ['payment.succeeded'],
    });
    const { key: secret } = await svix.endpoint.getSecret('acme', endpoint.id);
    await svix.message.create('acme', { eventType: 'payment.refunded', payload: { id: 'pay_0' } });
    const msg = await svix.message.create('acme', {
      eventType: 'payment.succeeded',
      eventId: 'evt_1',
      payload: { id: 'pay_1', amount: 4200 },
    });

    const requests = await receiver.waitFor(3);
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([msg.id, msg.id, msg.id]);
    for (const r of requests) {
      // The official verifier accepts what Hookline signed, on the raw body.
      expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toEqual({
        id: 'pay_1',
        amount: 4200,
      });
    }

    await eventually(async () => (await svix.messageAttempt.listByMsg('acme', msg.id)).data.length === 3);
    const attempts = await svix.messageAttempt.listByMsg('acme', msg.id);
    expect(attempts.data.map((a) => a.responseStatusCode)).toEqual([200, 503, 500]);
    expect(attempts.data.every((a) => a.endpointId === endpoint.id && a.msgId === msg.id)).toBe(true);
    expect(attempts.data[2]?.response).toBe('down');
    const status = await svix.messageAttempt.listAttemptedDestinations('acme', msg.id);
    expect(status.data.map((d) => [d.id, d.statusText])).toEqual([[endpoint.id, 'success']]);
    // The refunded event matched no endpoint: stored, never sent.
    expect(receiver.requests).toHaveLength(3);
  });
});
