import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('event types through the svix client', (backend) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(backend);
  });
  afterAll(() => api.close());

  const schemas = { '1': { type: 'object', properties: { id: { type: 'string' } } } };

  it('creates and gets, with the EventTypeOut shape', async () => {
    const created = await api.svix.eventType.create({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas,
      featureFlag: 'beta',
      groupName: 'invoice',
    });
    expect(created).toMatchObject({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      archived: false,
      deprecated: false,
      schemas,
      featureFlag: 'beta',
      featureFlags: ['beta'],
      groupName: 'invoice',
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await api.svix.eventType.get('invoice.paid')).toEqual(created);
    const dup = await api.svix.eventType
      .create({ name: 'invoice.paid', description: 'again' })
      .catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 409 });
  });

  it('updates with PUT (creating when missing) and PATCH', async () => {
    const put = await api.svix.eventType.update('user.created', { description: 'made by PUT' });
    expect(put).toMatchObject({ name: 'user.created', description: 'made by PUT', deprecated: false });
    const rawPut = await api.http('PUT', '/api/v1/event-type/user.created', { body: { description: 'v2' } });
    expect(rawPut.status).toBe(200);
    expect(rawPut.json.description).toBe('v2');
    const patched = await api.svix.eventType.patch('user.created', { deprecated: true });
    expect(patched).toMatchObject({ description: 'v2', deprecated: true });
    const missing = await api.svix.eventType.patch('nope', { deprecated: true }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 404 });
  });

  it('lists in pages; schemas only with with_content; archived only with include_archived', async () => {
    for (const n of ['a.one', 'a.two', 'a.three']) {
      await api.svix.eventType.create({ name: n, description: n, schemas });
    }
    await api.svix.eventType.delete('a.two');
    const archived = await api.svix.eventType.get('a.two');
    expect(archived.archived).toBe(true);

    const names = async (opts: { includeArchived?: boolean; withContent?: boolean }) => {
      const out: string[] = [];
      let iterator: string | undefined;
      for (;;) {
        const page = await api.svix.eventType.list({ limit: 2, iterator, ...opts });
        out.push(...page.data.map((e) => e.name));
        if (opts.withContent) expect(page.data.every((e) => e.schemas !== undefined)).toBe(true);
        else expect(page.data.every((e) => e.schemas === undefined)).toBe(true);
        if (page.done) return out;
        iterator = page.iterator ?? undefined;
      }
    };
    expect(await names({})).toEqual(['a.one', 'a.three', 'invoice.paid', 'user.created']);
    expect(await names({ includeArchived: true, withContent: true })).toEqual([
      'a.one',
      'a.three',
      'a.two',
      'invoice.paid',
      'user.created',
    ]);
  });

  it('expunge deletes for good', async () => {
    await api.svix.eventType.create({ name: 'temp.thing', description: 't' });
    await api.svix.eventType.delete('temp.thing', { expunge: true });
    const err = await api.svix.eventType.get('temp.thing').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 404 });
  });

  it('a message may use an event type that was never registered', async () => {
    const app = await api.svix.application.create({ name: 'catalogue' });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/hook' });
    const msg = await api.svix.message.create(app.id, {
      eventType: 'never.registered',
      payload: { ok: true },
    });
    expect(msg.eventType).toBe('never.registered');
    const dest = await api.svix.messageAttempt.listAttemptedDestinations(app.id, msg.id);
    expect(dest.data).toHaveLength(1);
  });
});
