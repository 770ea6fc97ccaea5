import { pino } from 'pino';
import { Svix, Webhook } from 'svix';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { type Server, startServer } from '../../src/server.js';
import { eventually } from '../api/harness.js';
import { forEachBackend, type TestDatabase } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const TOKEN = 'send-example-token-0123456789';

/**
 * send-example and replay-missing end to end: a running Hookline (worker,
 * sender thread) POSTs, signed, to a real receiver, and only to the endpoint
 * named; an expunged message is not sent again.
 */
forEachBackend('send-example and replay-missing to a real receiver', (backend) => {
  let db: TestDatabase;
  let receiver: Receiver;
  let server: Server;
  beforeEach(async () => {
    db = await backend.database('send_example');
    receiver = await startReceiver();
    server = await startServer(
      {
        ...DEFAULTS,
        databaseUrl: db.url,
        port: 0,
        apiToken: TOKEN,
        retrySchedule: [50],
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

  it('delivers the example, signed, to the one endpoint; replays a message the endpoint missed', async () => {
    const svix = new Svix(TOKEN, { serverUrl: server.url });
    const app = await svix.application.create({ name: 'examples' });
    await svix.eventType.create({
      name: 'invoice.paid',
      description: 'paid',
      schemas: { '1': { type: 'object', examples: [{ id: 'inv_example', total: 1200 }] } },
    });
    // Sent before any endpoint exists: replay-missing will owe it to the endpoint made later.
    const early = await svix.message.create(app.id, {
      eventType: 'invoice.paid',
      payload: { id: 'inv_early' },
    });
    const since = new Date(Date.now() - 60_000);
    const target = await svix.endpoint.create(app.id, { url: `${receiver.url}/target` });
    // It would take invoice.paid too, but send-example names one endpoint.
    await svix.endpoint.create(app.id, { url: `${receiver.url}/other` });
    const { key } = await svix.endpoint.getSecret(app.id, target.id);

    const msg = await svix.endpoint.sendExample(app.id, target.id, { eventType: 'invoice.paid' });
    const [first] = await receiver.waitFor(1);
    expect(first?.url).toBe('/target');
    expect(first?.headers['webhook-id']).toBe(msg.id);
    expect(new Webhook(key).verify(first!.body, first!.headers as Record<string, string>)).toEqual({
      id: 'inv_example',
      total: 1200,
    });

    const replay = await svix.endpoint.replayMissing(app.id, target.id, { since });
    await eventually(async () => (await svix.backgroundTask.get(replay.id)).status === 'finished');
    expect((await svix.backgroundTask.get(replay.id)).data).toEqual({ replayed: 1 });
    const [, second] = await receiver.waitFor(2);
    expect(second?.headers['webhook-id']).toBe(early.id);
    expect(JSON.parse(second!.body)).toEqual({ id: 'inv_early' });
    const destinations = async () =>
      (await svix.messageAttempt.listAttemptedDestinations(app.id, msg.id)).data.map((d) => [
        d.id,
        d.statusText,
      ]);
    await eventually(async () => (await destinations())[0]?.[1] === 'success');
    expect(await destinations()).toEqual([[target.id, 'success']]);
  });
});
