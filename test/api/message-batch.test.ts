import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, startApi } from './harness.js';

/** POST /api/v1/app/{app_id}/msg/batch: one transaction, an answer per item. */
forEachBackend('message batch ingest', (backend) => {
  let api: ApiHarness;
  let appId: string;
  const batch = (body: unknown, headers: Record<string, string> = {}) =>
    api.http('POST', `/api/v1/app/${appId}/msg/batch`, { body, headers });
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'batch', uid: 'batch-app' })).id;
    await api.svix.endpoint.create(appId, { url: 'https://receiver.example/hook' });
  });
  afterAll(() => api.close());

  it('stores every message of a batch with its deliveries, in order, and answers 202 per item', async () => {
    const messages = Array.from({ length: 250 }, (_, i) => ({ eventType: 'order.created', payload: { i } }));
    const res = await batch({ messages });
    expect(res.status).toBe(202);
    const data = res.json.data as { status: number; message: { id: string; payload: { i: number } } }[];
    expect(data.map((d) => d.status)).toEqual(Array(250).fill(202));
    expect(data.map((d) => d.message.payload.i)).toEqual(messages.map((m) => m.payload.i));
    for (const d of [data[0]!, data[249]!]) {
      const stored = await api.store.messages.get(appId, d.message.id);
      expect(stored?.eventType).toBe('order.created');
      const deliveries = await api.store.messages.deliveries(appId, d.message.id, { limit: 10 });
      expect(deliveries.items.map((x) => x.delivery.status)).toEqual(['pending']);
    }
  });

  it('answers each bad item on its own (422 with its path, 409 for a repeated eventId) and stores the rest', async () => {
    await api.svix.message.create(appId, { eventType: 'a.b', payload: {}, eventId: 'taken' });
    const res = await batch({
      messages: [
        { eventType: 'ok.one', payload: { n: 1 }, eventId: 'fresh-1' },
        { eventType: 'bad type!', payload: {} },
        { eventType: 'dup.app', payload: {}, eventId: 'taken' },
        'not an object',
        { eventType: 'ok.two', payload: { n: 2 }, eventId: 'fresh-2' },
        { eventType: 'dup.batch', payload: {}, eventId: 'fresh-2' },
      ],
    });
    expect(res.status).toBe(207);
    const data = res.json.data as { status: number; error?: { code?: string; detail: unknown } }[];
    expect(data.map((d) => d.status)).toEqual([202, 422, 409, 422, 202, 409]);
    expect(data[1]!.error!.detail).toEqual([
      expect.objectContaining({ loc: ['body', 'messages', 1, 'eventType'] }),
    ]);
    expect(data[2]!.error).toMatchObject({ code: 'conflict' });
    expect(data[3]!.error!.detail).toEqual([expect.objectContaining({ loc: ['body', 'messages', 3] })]);
    expect(data[5]!.error).toMatchObject({ code: 'conflict' });
    const list = await api.svix.message.list(appId, {
      eventTypes: ['ok.one', 'ok.two', 'dup.batch', 'dup.app'],
    });
    expect(list.data.map((m) => m.eventType).sort()).toEqual(['ok.one', 'ok.two']);
  });

  it('stores each payload byte for byte as sent', async () => {
    const text =
      '{"messages":[{"eventType":"raw.a","payload":{ "big": 12345678901234567890 }},' +
      ' {"payload":[1.50, "]"], "eventType":"raw.b"}]}';
    const res = await api.http('POST', `/api/v1/app/${appId}/msg/batch`, {
      rawBody: text,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    const [a, b] = res.json.data as { message: { id: string } }[];
    expect((await api.store.messages.get(appId, a!.message.id))?.payload).toBe(
      '{ "big": 12345678901234567890 }',
    );
    expect((await api.store.messages.get(appId, b!.message.id))?.payload).toBe('[1.50, "]"]');
  });

  it('refuses an empty or oversized list, and an unknown app, as a whole', async () => {
    expect((await batch({ messages: [] })).status).toBe(422);
    const tooMany = Array.from({ length: 1001 }, () => ({ eventType: 'x.y', payload: {} }));
    const res = await batch({ messages: tooMany });
    expect(res.status).toBe(422);
    expect(res.json.detail).toEqual([expect.objectContaining({ loc: ['body', 'messages'] })]);
    const missing = await api.http('POST', '/api/v1/app/app_nope/msg/batch', {
      body: { messages: [{ eventType: 'x.y', payload: {} }] },
    });
    expect(missing.status).toBe(404);
  });

  it('an Idempotency-Key covers the whole call', async () => {
    const body = {
      messages: [
        { eventType: 'idem.a', payload: {} },
        { eventType: 'idem.b', payload: {} },
      ],
    };
    const first = await batch(body, { 'idempotency-key': 'batch-key-1' });
    const again = await batch(body, { 'idempotency-key': 'batch-key-1' });
    expect(again.status).toBe(first.status);
    expect(again.json).toEqual(first.json);
    const list = await api.svix.message.list(appId, { eventTypes: ['idem.a', 'idem.b'] });
    expect(list.data).toHaveLength(2);
  });
});
