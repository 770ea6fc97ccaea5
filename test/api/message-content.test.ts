import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, eventually, settleDue, startApi } from './harness.js';

/**
 * Expunging content for privacy requests, through the svix client: the
 * payload and stored response bodies go, the message and its attempts stay
 * listed, and nothing can send the message again.
 */
forEachBackend('message content expunge', (backend) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi(backend);
  });
  afterEach(() => api.close());

  it('expunges a payload and its responses; the message stays listed and cannot be resent', async () => {
    const app = await api.svix.application.create({ name: 'privacy' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://example.com/p' });
    const secret = await api.svix.message.create(app.id, {
      eventType: 'user.created',
      payload: { ssn: '123-45-6789' },
    });
    const kept = await api.svix.message.create(app.id, {
      eventType: 'user.created',
      payload: { name: 'kept' },
    });
    expect(await settleDue(api.store, 'fail')).toBe(2);

    await api.svix.message.expungeContent(app.id, secret.id);

    expect((await api.svix.message.get(app.id, secret.id)).payload).toEqual({ expired: true });
    expect((await api.svix.message.get(app.id, kept.id)).payload).toEqual({ name: 'kept' });
    const listed = await api.svix.message.list(app.id);
    expect(listed.data.map((m) => m.id).sort()).toEqual([secret.id, kept.id].sort());
    const [attempt] = (await api.svix.messageAttempt.listByMsg(app.id, secret.id)).data;
    expect(attempt?.response).toBe('EXPUNGED');
    expect((await api.svix.messageAttempt.listByMsg(app.id, kept.id)).data[0]?.response).toBe('boom');

    // Resend is refused with its own code; recover leaves the expunged message out.
    const refused = await api.http('POST', `/api/v1/app/${app.id}/msg/${secret.id}/endpoint/${ep.id}/resend`);
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('content_expunged');
    await expect(api.svix.messageAttempt.resend(app.id, secret.id, ep.id)).rejects.toMatchObject({
      code: 409,
    });
    const task = await api.svix.endpoint.recover(app.id, ep.id, { since: new Date(Date.now() - 60_000) });
    await eventually(async () => (await api.svix.backgroundTask.get(task.id)).status === 'finished');
    expect((await api.svix.backgroundTask.get(task.id)).data).toEqual({ recovered: 1 });

    await expect(api.svix.message.expungeContent(app.id, 'msg_nope')).rejects.toMatchObject({ code: 404 });
  });

  it("expunges one attempt's response body only", async () => {
    const app = await api.svix.application.create({ name: 'attempts' });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/a' });
    const msg = await api.svix.message.create(app.id, { eventType: 'e.t', payload: { a: 1 } });
    await settleDue(api.store, 'retry');
    await api.svix.messageAttempt.resend(app.id, msg.id, (await api.svix.endpoint.list(app.id)).data[0]!.id);
    await settleDue(api.store, 'fail');
    const attempts = (await api.svix.messageAttempt.listByMsg(app.id, msg.id)).data;
    expect(attempts).toHaveLength(2);
    await api.svix.messageAttempt.expungeContent(app.id, msg.id, attempts[0]!.id);
    const after = (await api.svix.messageAttempt.listByMsg(app.id, msg.id)).data;
    expect(after.map((a) => a.response)).toEqual(['EXPUNGED', 'boom']);
    expect((await api.svix.message.get(app.id, msg.id)).payload).toEqual({ a: 1 });
    await expect(api.svix.messageAttempt.expungeContent(app.id, msg.id, 'atmpt_nope')).rejects.toMatchObject({
      code: 404,
    });
  });

  it('cancels the deliveries still owed, so an expunged payload is never sent', async () => {
    const app = await api.svix.application.create({ name: 'pending' });
    const ep = await api.svix.endpoint.create(app.id, { url: 'https://example.com/x' });
    const msg = await api.svix.message.create(app.id, { eventType: 'e.t', payload: { card: '4111' } });
    await api.svix.message.expungeContent(app.id, msg.id);
    expect(await settleDue(api.store, 'success')).toBe(0);
    expect(await api.svix.endpoint.getStats(app.id, ep.id)).toMatchObject({ pending: 0, canceled: 1 });
  });

  it('expunges every message of an application as a background task', async () => {
    const app = await api.svix.application.create({ name: 'erase' });
    const other = await api.svix.application.create({ name: 'other' });
    await api.svix.endpoint.create(app.id, { url: 'https://example.com/e' });
    for (let i = 0; i < 5; i++) await api.svix.message.create(app.id, { eventType: 'e.t', payload: { i } });
    const untouched = await api.svix.message.create(other.id, { eventType: 'e.t', payload: { keep: true } });
    await settleDue(api.store, 'fail');

    const task = await api.svix.message.expungeAllContents(app.id);
    expect(task).toMatchObject({ status: 'running', task: 'application.purge_content' });
    await eventually(async () => (await api.svix.backgroundTask.get(task.id)).status === 'finished');
    expect((await api.svix.backgroundTask.get(task.id)).data).toEqual({ expunged: 5 });

    const messages = (await api.svix.message.list(app.id)).data;
    expect(messages).toHaveLength(5);
    expect(messages.every((m) => JSON.stringify(m.payload) === '{"expired":true}')).toBe(true);
    for (const m of messages) {
      expect((await api.svix.messageAttempt.listByMsg(app.id, m.id)).data.map((a) => a.response)).toEqual([
        'EXPUNGED',
      ]);
    }
    expect((await api.svix.message.get(other.id, untouched.id)).payload).toEqual({ keep: true });
  });
});
