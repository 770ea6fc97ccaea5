import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('messages through the svix client', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'messages', uid: 'msg-app' })).id;
  });
  afterAll(() => api.close());

  it('creates with eventType, payload, channels, eventId and tags; gets it back (MessageOut)', async () => {
    const payload = { invoice: 'in_1', amount: 1200, nested: { ok: true } };
    const msg = await api.svix.message.create('msg-app', {
      eventType: 'invoice.paid',
      payload,
      channels: ['eu'],
      eventId: 'evt-1',
      tags: ['billing'],
    });
    expect(msg).toMatchObject({
      eventType: 'invoice.paid',
      payload,
      channels: ['eu'],
      eventId: 'evt-1',
      tags: ['billing'],
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.timestamp).toBeInstanceOf(Date);
    const got = await api.svix.message.get(appId, msg.id);
    expect(got).toEqual(msg);
    const raw = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'x.y', payload: [1, 2] },
    });
    expect(raw.status).toBe(202);
    expect(raw.json.payload).toEqual([1, 2]);
  });

  it('stores the payload exactly as sent', async () => {
    const text =
      '{"eventType":"raw.exact","payload":{ "big": 12345678901234567890, "f": 1.50 ,"s":"\\u00e9"}}';
    const res = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      rawBody: text,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    const stored = await api.store.messages.get(appId, res.json.id);
    expect(stored?.payload).toBe('{ "big": 12345678901234567890, "f": 1.50 ,"s":"\\u00e9"}');
  });

  it('409 on a duplicate eventId in the same app', async () => {
    await api.svix.message.create(appId, { eventType: 'a.b', payload: {}, eventId: 'dup-1' });
    const err = await api.svix.message
      .create(appId, { eventType: 'a.b', payload: {}, eventId: 'dup-1' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 409, body: { code: 'conflict' } });
  });

  it('routes by filterTypes and channels, and wakes the worker when deliveries exist', async () => {
    const app = await api.svix.application.create({ name: 'routing' });
    const all = await api.svix.endpoint.create(app.id, { url: 'https://example.com/all' });
    const paid = await api.svix.endpoint.create(app.id, {
      url: 'https://example.com/paid',
      filterTypes: ['paid'],
    });
    const eu = await api.svix.endpoint.create(app.id, { url: 'https://example.com/eu', channels: ['eu'] });
    const targets = async (eventType: string, channels?: string[]) => {
      const msg = await api.svix.message.create(app.id, { eventType, payload: {}, channels });
      const page = await api.svix.messageAttempt.listAttemptedDestinations(app.id, msg.id);
      return page.data.map((d) => d.id).sort();
    };
    expect(await targets('paid')).toEqual([all.id, paid.id].sort());
    expect(await targets('refunded', ['eu'])).toEqual([all.id, eu.id].sort());
    expect(await targets('paid', ['us'])).toEqual([all.id, paid.id].sort());

    const empty = await api.svix.application.create({ name: 'no endpoints' });
    const wakes = api.wakes();
    await api.svix.message.create(empty.id, { eventType: 'x', payload: {} });
    expect(api.wakes()).toBe(wakes);
    await api.svix.message.create(app.id, { eventType: 'x', payload: {} });
    expect(api.wakes()).toBe(wakes + 1);
  });

  it('lists newest first across pages, filtered by event type, channel, tag, before and after', async () => {
    const app = await api.svix.application.create({ name: 'listing' });
    const made: string[] = [];
    const specs = [
      { eventType: 'a', channels: ['red'], tags: ['t1'] },
      { eventType: 'b', channels: ['blue'] },
      { eventType: 'a', channels: ['blue'], tags: ['t1'] },
      { eventType: 'c' },
      { eventType: 'a' },
    ];
    let middle = new Date();
    for (const [i, spec] of specs.entries()) {
      made.push((await api.svix.message.create(app.id, { ...spec, payload: { i } })).id);
      if (i === 1) {
        await new Promise((r) => setTimeout(r, 15));
        middle = new Date();
        await new Promise((r) => setTimeout(r, 15));
      }
    }
    const collect = async (opts: Parameters<typeof api.svix.message.list>[1]) => {
      const ids: string[] = [];
      let iterator: string | undefined;
      for (;;) {
        const page = await api.svix.message.list(app.id, { ...opts, limit: 2, iterator });
        ids.push(...page.data.map((m) => m.id));
        if (page.done) return ids;
        iterator = page.iterator ?? undefined;
      }
    };
    const [m0, m1, m2, m3, m4] = made;
    expect(await collect({})).toEqual([m4, m3, m2, m1, m0]);
    expect(await collect({ eventTypes: ['a'] })).toEqual([m4, m2, m0]);
    expect(await collect({ eventTypes: ['b', 'c'] })).toEqual([m3, m1]);
    expect(await collect({ channel: 'blue' })).toEqual([m2, m1]);
    expect(await collect({ tag: 't1' })).toEqual([m2, m0]);
    expect(await collect({ before: middle })).toEqual([m1, m0]);
    expect(await collect({ after: middle })).toEqual([m4, m3, m2]);
    const first = await api.svix.message.list(app.id, { limit: 2 });
    expect(first.data.map((m) => m.payload)).toEqual([{ i: 4 }, { i: 3 }]);
    const bare = await api.svix.message.list(app.id, { limit: 1, withContent: false });
    expect(bare.data[0]?.payload).toEqual({});
  });

  it('creates the application alongside the message when asked', async () => {
    const msg = await api.svix.message.create('brand-new-uid', {
      eventType: 'hello',
      payload: { hi: 1 },
      application: { name: 'Brand new' },
    });
    const app = await api.svix.application.get('brand-new-uid');
    expect(app.name).toBe('Brand new');
    expect((await api.svix.message.get('brand-new-uid', msg.id)).payload).toEqual({ hi: 1 });
    await expect(
      api.svix.message.create('still-missing', { eventType: 'x', payload: {} }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  it('refuses to create the application when the path cannot be its uid', async () => {
    for (const path of ['has%20space', 'app_0000000000000000000000', 'x'.repeat(257)]) {
      const res = await api.http('POST', `/api/v1/app/${path}/msg`, {
        body: { eventType: 'x', payload: {}, application: { name: 'b' } },
      });
      expect(res.status, path).toBe(422);
      expect(res.json.detail[0].loc, path).toEqual(['path', 'app_id']);
    }
    expect((await api.svix.application.list()).data.map((a) => a.name)).not.toContain('b');
  });
});
