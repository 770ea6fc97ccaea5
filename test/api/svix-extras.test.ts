import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, eventually, startApi } from './harness.js';

/** health/ping, precheck, usage statistics, event-type import from OpenAPI, payload schema validation. */
forEachBackend('more of the Svix API', (backend) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi(backend);
  });
  afterEach(() => api.close());

  const finished = async (id: string) => {
    await eventually(async () => (await api.svix.backgroundTask.get(id)).status !== 'running');
    return api.svix.backgroundTask.get(id);
  };

  it('answers the liveness ping with 204, without a token, GET and HEAD', async () => {
    expect((await api.http('GET', '/api/v1/health/ping', { token: null })).status).toBe(204);
    const head = await fetch(`${api.serverUrl}/api/v1/health/ping`, { method: 'HEAD' });
    expect(head.status).toBe(204);
  });

  it('prechecks whether a message would reach any endpoint', async () => {
    const app = await api.svix.application.create({ name: 'precheck' });
    expect(await api.svix.message.precheck(app.id, { eventType: 'a.b' })).toEqual({ active: false });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/1', filterTypes: ['order.paid'] });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/2', channels: ['eu'] });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/3', disabled: true });
    expect(await api.svix.message.precheck(app.id, { eventType: 'order.paid' })).toEqual({ active: true });
    expect(await api.svix.message.precheck(app.id, { eventType: 'order.refunded' })).toEqual({
      active: false,
    });
    expect(
      await api.svix.message.precheck(app.id, { eventType: 'order.refunded', channels: ['eu'] }),
    ).toEqual({
      active: true,
    });
    await expect(api.svix.message.precheck('nope', { eventType: 'a.b' })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('aggregates usage by application and by event type as background tasks', async () => {
    const shop = await api.svix.application.create({ name: 'shop', uid: 'shop' });
    const blog = await api.svix.application.create({ name: 'blog' });
    const since = new Date(Date.now() - 1000);
    for (const type of ['order.paid', 'order.paid', 'order.refunded']) {
      await api.svix.message.create(shop.id, { eventType: type, payload: {} });
    }
    await api.svix.message.create(blog.id, { eventType: 'post.published', payload: {} });
    const until = new Date(Date.now() + 1000);

    const stats = await api.svix.statistics.aggregateAppStats({
      since,
      until,
      appIds: ['shop', 'app_missing'],
    });
    expect(stats).toMatchObject({
      status: 'running',
      task: 'application.stats',
      unresolvedAppIds: ['app_missing'],
    });
    expect((await finished(stats.id)).data).toEqual({
      since: since.toISOString(),
      until: until.toISOString(),
      apps: [{ appId: shop.id, uid: 'shop', messages: 3 }],
    });
    const everyApp = await api.svix.statistics.aggregateAppStats({ since, until });
    const apps = (await finished(everyApp.id)).data.apps as { appId: string; messages: number }[];
    expect(apps.map((a) => [a.appId, a.messages]).sort()).toEqual(
      [
        [shop.id, 3],
        [blog.id, 1],
      ].sort(),
    );
    const before = await api.svix.statistics.aggregateAppStats({
      since: new Date(0),
      until: since,
      appIds: [shop.id],
    });
    expect((await finished(before.id)).data.apps).toEqual([{ appId: shop.id, uid: 'shop', messages: 0 }]);

    const types = await api.svix.statistics.aggregateEventTypes();
    expect(types).toMatchObject({ status: 'running', task: 'event-type.aggregate' });
    expect((await finished(types.id)).data).toEqual({
      eventTypes: [
        { eventType: 'order.paid', messages: 2 },
        { eventType: 'order.refunded', messages: 1 },
        { eventType: 'post.published', messages: 1 },
      ],
    });
  });

  it("imports event types from an OpenAPI 3.1 document's webhooks", async () => {
    const spec = {
      openapi: '3.1.0',
      info: { title: 'Shop', version: '1' },
      webhooks: {
        'order.paid': {
          post: {
            description: 'An order was paid',
            'x-svix-group-name': 'orders',
            requestBody: {
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/Order' },
                  example: { id: 'ord_1', total: 42 },
                },
              },
            },
          },
        },
        'order.cancelled': { post: { summary: 'Cancelled', deprecated: true } },
      },
      components: {
        schemas: {
          Order: {
            type: 'object',
            required: ['id'],
            properties: {
              id: { type: 'string' },
              total: { type: 'integer' },
              parent: { $ref: '#/components/schemas/Order' },
            },
          },
        },
      },
    };
    await api.svix.eventType.create({ name: 'legacy.thing', description: 'old' });

    const dry = await api.svix.eventType.importOpenapi({ spec, dryRun: true, replaceAll: true });
    expect(dry.data.modified.sort()).toEqual(['legacy.thing', 'order.cancelled', 'order.paid']);
    expect(dry.data.toModify?.map((t) => t.name).sort()).toEqual(['order.cancelled', 'order.paid']);
    await expect(api.svix.eventType.get('order.paid')).rejects.toMatchObject({ code: 404 });

    const done = await api.svix.eventType.importOpenapi({ spec });
    expect(done.data.modified.sort()).toEqual(['order.cancelled', 'order.paid']);
    const paid = await api.svix.eventType.get('order.paid');
    expect(paid).toMatchObject({ description: 'An order was paid', groupName: 'orders', deprecated: false });
    expect(paid.schemas).toEqual({
      '1': {
        type: 'object',
        required: ['id'],
        // The recursive reference becomes an open schema; the media type's example is kept.
        properties: { id: { type: 'string' }, total: { type: 'integer' }, parent: {} },
        examples: [{ id: 'ord_1', total: 42 }],
      },
    });
    expect(await api.svix.eventType.get('order.cancelled')).toMatchObject({
      description: 'Cancelled',
      deprecated: true,
    });
    expect((await api.svix.eventType.get('legacy.thing')).archived).toBe(false);

    // Unchanged types are not rewritten; replaceAll archives what the document leaves out.
    const again = await api.svix.eventType.importOpenapi({ specRaw: JSON.stringify(spec), replaceAll: true });
    expect(again.data.modified).toEqual(['legacy.thing']);
    expect((await api.svix.eventType.get('legacy.thing')).archived).toBe(true);

    const bad = await api.http('POST', '/api/v1/event-type/import/openapi', {
      body: { spec: { openapi: '3.1.0', webhooks: { 'bad name!': { post: {} } } } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['body', 'spec', 'webhooks', 'bad name!']);
    const yaml = await api.http('POST', '/api/v1/event-type/import/openapi', {
      body: { specRaw: 'openapi: 3.1.0' },
    });
    expect(yaml.status).toBe(422);
  });

  it('refuses payloads that fail the JSON Schema of an event type that opted in, naming the path', async () => {
    const app = await api.svix.application.create({ name: 'validate' });
    const schemas = {
      '1': {
        type: 'object',
        required: ['id', 'amount'],
        properties: {
          id: { type: 'string' },
          amount: { type: 'integer', minimum: 0 },
          lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        },
      },
    };
    const created = await api.http('POST', '/api/v1/event-type', {
      body: { name: 'payment.succeeded', description: 'paid', schemas, validateSchema: true },
    });
    expect(created.status).toBe(201);
    expect(created.json.validateSchema).toBe(true);

    const ok = await api.svix.message.create(app.id, {
      eventType: 'payment.succeeded',
      payload: { id: 'p', amount: 5 },
    });
    expect(ok.id).toMatch(/^msg_/);
    const bad = await api.http('POST', `/api/v1/app/${app.id}/msg`, {
      body: { eventType: 'payment.succeeded', payload: { id: 'p', amount: -1, lines: [{ sku: 7 }] } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([
      ['body', 'payload', 'amount'],
      ['body', 'payload', 'lines', 0, 'sku'],
    ]);
    const missing = await api.http('POST', `/api/v1/app/${app.id}/msg`, {
      body: { eventType: 'payment.succeeded', payload: { amount: 1 } },
    });
    expect(missing.json.detail).toEqual([
      { loc: ['body', 'payload', 'id'], msg: 'field required', type: 'value_error.missing' },
    ]);
    await expect(
      api.svix.message.create(app.id, { eventType: 'payment.succeeded', payload: { id: 1, amount: 1 } }),
    ).rejects.toMatchObject({ code: 422 });
    expect((await api.svix.message.list(app.id)).data).toHaveLength(1);
    // In a batch, the failing item alone is refused, named by its place.
    const batch = await api.http('POST', `/api/v1/app/${app.id}/msg/batch`, {
      body: {
        messages: [
          { eventType: 'payment.succeeded', payload: { id: 'b1', amount: 1 } },
          { eventType: 'payment.succeeded', payload: { id: 'b2', amount: 'lots' } },
        ],
      },
    });
    expect(batch.status).toBe(207);
    expect(batch.json.data.map((d: { status: number }) => d.status)).toEqual([202, 422]);
    expect(batch.json.data[1].error.detail[0].loc).toEqual(['body', 'messages', 1, 'payload', 'amount']);
    expect((await api.svix.message.list(app.id)).data).toHaveLength(2);

    // Opting out takes effect at once; types that never opted in are not validated.
    await api.http('PATCH', '/api/v1/event-type/payment.succeeded', { body: { validateSchema: false } });
    await api.svix.message.create(app.id, { eventType: 'payment.succeeded', payload: { anything: true } });
    await api.svix.eventType.create({ name: 'loose', description: 'no opt-in', schemas });
    await api.svix.message.create(app.id, { eventType: 'loose', payload: 'not even an object' });

    const noSchema = await api.http('POST', '/api/v1/event-type', {
      body: { name: 'x.y', description: 'x', validateSchema: true },
    });
    expect(noSchema.status).toBe(422);
    expect(noSchema.json.detail[0].loc).toEqual(['body', 'validateSchema']);
    const broken = await api.http('POST', '/api/v1/event-type', {
      body: { name: 'x.z', description: 'x', validateSchema: true, schemas: { '1': { type: 'nope' } } },
    });
    expect(broken.status).toBe(422);
    expect(broken.json.detail[0].loc).toEqual(['body', 'schemas']);
  });
});
