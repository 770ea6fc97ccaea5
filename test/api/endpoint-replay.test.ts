import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, eventually, settleDue, startApi } from './harness.js';

/** Replay-missing and send-example through the svix client: messages to one endpoint only. */
forEachBackend('replay-missing and send-example', (backend) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi(backend);
  });
  afterEach(() => api.close());

  const finished = async (id: string) => {
    await eventually(async () => (await api.svix.backgroundTask.get(id)).status !== 'running');
    return api.svix.backgroundTask.get(id);
  };

  it('queues what a new endpoint never received since T, as its routing accepts, once', async () => {
    const app = await api.svix.application.create({ name: 'replay' });
    const early = await api.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 0 } });
    const since = new Date(Date.now() + 5);
    await new Promise((r) => setTimeout(r, 10));
    const paid = await api.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 1 } });
    await api.svix.message.create(app.id, { eventType: 'order.refunded', payload: { n: 2 } });
    const paidToo = await api.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 3 } });
    const ep = await api.svix.endpoint.create(app.id, {
      url: 'https://example.com/r',
      filterTypes: ['order.paid'],
    });
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toMatchObject({ pending: 0 });

    const wakes = api.wakes();
    const out = await api.svix.endpoint.replayMissing(app.id, ep.id, { since });
    expect(out).toMatchObject({ status: 'running', task: 'endpoint.replay' });
    expect(await finished(out.id)).toMatchObject({ status: 'finished', data: { replayed: 2 } });
    expect(api.wakes()).toBeGreaterThan(wakes);
    const owed = (await api.svix.messageAttempt.listAttemptedMessages(app.id, ep.id)).data.map((m) => m.id);
    expect(owed.sort()).toEqual([paid.id, paidToo.id].sort());
    expect(owed).not.toContain(early.id);

    // Delivered (or failed) or not, what it had is not missing: a second replay queues nothing.
    await settleDue(api.store, 'fail');
    const again = await api.svix.endpoint.replayMissing(app.id, ep.id, { since });
    expect((await finished(again.id)).data).toEqual({ replayed: 0 });
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toMatchObject({ fail: 2, pending: 0 });

    await expect(
      api.svix.endpoint.replayMissing(app.id, ep.id, { since: new Date(Date.now() + 3_600_000) }),
    ).rejects.toMatchObject({ code: 422 });
  });

  it('sends the event type schema example to that one endpoint, as a real message', async () => {
    const app = await api.svix.application.create({ name: 'examples' });
    const target = await api.svix.endpoint.create(app.id, { url: 'https://example.com/target' });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/bystander' });
    await api.svix.eventType.create({
      name: 'invoice.paid',
      description: 'paid',
      schemas: {
        '1': {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' } },
          examples: [{ id: 'inv_1' }, { id: 'inv_2' }],
        },
      },
    });
    const msg = await api.svix.endpoint.sendExample(app.id, target.id, {
      eventType: 'invoice.paid',
      exampleIndex: 1,
    });
    expect(msg).toMatchObject({ eventType: 'invoice.paid', payload: { id: 'inv_2' } });
    expect((await api.svix.message.get(app.id, msg.id)).payload).toEqual({ id: 'inv_2' });
    const destinations = (await api.svix.messageAttempt.listAttemptedDestinations(app.id, msg.id)).data;
    expect(destinations.map((d) => d.id)).toEqual([target.id]);
    expect(await settleDue(api.store, 'success')).toBe(1);

    await expect(
      api.svix.endpoint.sendExample(app.id, target.id, { eventType: 'invoice.paid', exampleIndex: 2 }),
    ).rejects.toMatchObject({ code: 422 });
    const unknown = await api.http('POST', `/api/v1/app/${app.id}/endpoint/${target.id}/send-example`, {
      body: { eventType: 'no.such.type' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.detail[0].loc).toEqual(['body', 'eventType']);
  });

  it('builds a minimal payload from a schema without examples; svix.ping needs no event type', async () => {
    const app = await api.svix.application.create({ name: 'minimal' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://example.com/m' });
    await api.svix.eventType.create({
      name: 'user.signed_up',
      description: 'signup',
      schemas: {
        '1': {
          type: 'object',
          required: ['id', 'plan', 'tags', 'at', 'address'],
          properties: {
            id: { type: 'string', minLength: 3 },
            plan: { enum: ['free', 'pro'] },
            tags: { type: 'array', minItems: 1, items: { type: 'string' } },
            at: { type: 'string', format: 'date-time' },
            address: {
              type: 'object',
              required: ['zip'],
              properties: { zip: { type: 'integer', minimum: 1000 } },
            },
            optional: { type: 'string' },
          },
        },
      },
    });
    const msg = await api.svix.endpoint.sendExample(app.id, ep.id, { eventType: 'user.signed_up' });
    expect(msg.payload).toEqual({
      id: 'xxx',
      plan: 'free',
      tags: [''],
      at: '1970-01-01T00:00:00.000Z',
      address: { zip: 1000 },
    });
    const ping = await api.svix.endpoint.sendExample(app.id, ep.id, { eventType: 'svix.ping' });
    expect(ping.payload).toEqual({ success: true });
  });
});
