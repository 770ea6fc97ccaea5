import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, settleDue, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

/**
 * Attempts, per-message endpoint status, per-endpoint messages and resend.
 * settleDue plays the worker so attempts exist without src/delivery.
 */
forEachBackend('attempts and deliveries through the svix client', (backend) => {
  let api: ApiHarness;
  let appId: string;
  let epA: string;
  let epB: string;
  let msgIds: string[];
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'attempts', uid: 'att' })).id;
    epA = (await api.svix.endpoint.create(appId, { url: 'https://example.com/a', uid: 'ep-a' })).id;
    epB = (await api.svix.endpoint.create(appId, { url: 'https://example.com/b', filterTypes: ['b.only'] }))
      .id;
    msgIds = [];
    msgIds.push((await api.svix.message.create(appId, { eventType: 'a.thing', payload: { n: 0 } })).id);
    await settleDue(api.store, 'retry', 503); // one failed attempt, retry later
    msgIds.push((await api.svix.message.create(appId, { eventType: 'b.only', payload: { n: 1 } })).id);
    await settleDue(api.store, 'success'); // msg1 -> A and B succeed
    msgIds.push((await api.svix.message.create(appId, { eventType: 'a.thing', payload: { n: 2 } })).id);
    await settleDue(api.store, 'fail', 500); // msg2 -> A fails for good
  });
  afterAll(() => api.close());

  it('lists attempts by message (MessageAttemptOut) and gets one', async () => {
    const [m0] = msgIds as [string];
    const page = await api.svix.messageAttempt.listByMsg('att', m0);
    expect(page.data).toHaveLength(1);
    const attempt = page.data[0];
    expect(attempt).toMatchObject({
      msgId: m0,
      endpointId: epA,
      url: 'https://example.com/a',
      response: 'boom',
      responseStatusCode: 503,
      responseDurationMs: 12,
      status: 2,
      statusText: 'fail',
      triggerType: 0,
    });
    expect(attempt?.id).toMatch(/^atmpt_/);
    expect(attempt?.timestamp).toBeInstanceOf(Date);
    const one = await api.svix.messageAttempt.get(appId, m0, attempt?.id ?? '');
    expect(one).toEqual(attempt);
    await expect(api.svix.messageAttempt.get(appId, m0, 'atmpt_nope')).rejects.toMatchObject({ code: 404 });
  });

  it('filters attempts by status and endpoint', async () => {
    const m1 = msgIds[1] as string;
    expect((await api.svix.messageAttempt.listByMsg(appId, m1)).data).toHaveLength(2);
    const onlyB = await api.svix.messageAttempt.listByMsg(appId, m1, { endpointId: epB });
    expect(onlyB.data.map((a) => a.endpointId)).toEqual([epB]);
    expect((await api.svix.messageAttempt.listByMsg(appId, m1, { status: 2 })).data).toHaveLength(0);
    expect((await api.svix.messageAttempt.listByMsg(appId, m1, { status: 0 })).data).toHaveLength(2);
    expect((await api.svix.messageAttempt.listByMsg(appId, m1, { status: 1 })).data).toHaveLength(0);
  });

  it('lists attempts by endpoint across pages, newest first, with the message when asked', async () => {
    const ids: string[] = [];
    let iterator: string | undefined;
    for (;;) {
      const page = await api.svix.messageAttempt.listByEndpoint(appId, 'ep-a', {
        limit: 2,
        iterator,
        withMsg: true,
      });
      for (const a of page.data) {
        expect(a.msg?.id).toBe(a.msgId);
        expect(a.msg?.payload).toEqual({ n: msgIds.indexOf(a.msgId) });
      }
      ids.push(...page.data.map((a) => a.msgId));
      if (page.done) break;
      iterator = page.iterator ?? undefined;
    }
    expect(ids).toEqual([msgIds[2], msgIds[1], msgIds[0]]);
    const failed = await api.svix.messageAttempt.listByEndpoint(appId, epA, { status: 2 });
    expect(failed.data.map((a) => a.msgId)).toEqual([msgIds[2], msgIds[0]]);
  });

  it('lists per-message endpoint status (MessageEndpointOut)', async () => {
    const m1 = msgIds[1] as string;
    const page = await api.svix.messageAttempt.listAttemptedDestinations(appId, m1);
    expect(page.data.map((d) => d.id).sort()).toEqual([epA, epB].sort());
    for (const d of page.data) {
      expect(d).toMatchObject({ status: 0, statusText: 'success', version: 1, description: '' });
      expect(d.createdAt).toBeInstanceOf(Date);
    }
    const m0 = msgIds[0] as string;
    const pending = await api.svix.messageAttempt.listAttemptedDestinations(appId, m0);
    expect(pending.data[0]).toMatchObject({
      id: epA,
      status: 1,
      statusText: 'pending',
      url: 'https://example.com/a',
    });
    expect(pending.data[0]?.nextAttempt).toBeInstanceOf(Date);
  });

  it('lists an endpoint’s messages with their status (EndpointMessageOut), filtered by status', async () => {
    const page = await api.svix.messageAttempt.listAttemptedMessages(appId, epA);
    expect(page.data.map((m) => [m.id, m.statusText])).toEqual([
      [msgIds[2], 'fail'],
      [msgIds[1], 'success'],
      [msgIds[0], 'pending'],
    ]);
    expect(page.data[0]).toMatchObject({ eventType: 'a.thing', payload: { n: 2 }, status: 2 });
    const failed = await api.svix.messageAttempt.listAttemptedMessages(appId, epA, { status: 2 });
    expect(failed.data.map((m) => m.id)).toEqual([msgIds[2]]);
    const byType = await api.svix.messageAttempt.listAttemptedMessages(appId, epA, {
      eventTypes: ['b.only'],
    });
    expect(byType.data.map((m) => m.id)).toEqual([msgIds[1]]);
  });

  it('resends one message to one endpoint as a manual attempt', async () => {
    const m2 = msgIds[2] as string;
    const wakes = api.wakes();
    await api.svix.messageAttempt.resend(appId, m2, epA);
    expect(api.wakes()).toBe(wakes + 1);
    const status = await api.svix.messageAttempt.listAttemptedDestinations(appId, m2);
    expect(status.data[0]).toMatchObject({ id: epA, statusText: 'pending' });
    await settleDue(api.store, 'success');
    const attempts = await api.svix.messageAttempt.listByMsg(appId, m2);
    expect(attempts.data[0]).toMatchObject({ status: 0, triggerType: 1 });
    await expect(api.svix.messageAttempt.resend(appId, m2, 'ep_nope')).rejects.toMatchObject({ code: 404 });
  });

  it('filters attempts by status code class and by their message (event types, channel, tag)', async () => {
    const tagged = (
      await api.svix.message.create(appId, {
        eventType: 'a.thing',
        payload: { n: 3 },
        channels: ['eu'],
        tags: ['vip'],
      })
    ).id;
    await settleDue(api.store, 'success', 204);
    const list = async (query: Record<string, unknown>) =>
      (await api.svix.messageAttempt.listByEndpoint(appId, epA, query)).data;
    const msgs = async (query: Record<string, unknown>) => (await list(query)).map((a) => a.msgId);
    const [m0, m1, m2] = msgIds as [string, string, string];
    // Other tests here add attempts too: check the class of each, and the known ones.
    const fives = await list({ statusCodeClass: 500 });
    expect(fives.every((a) => a.responseStatusCode >= 500 && a.responseStatusCode < 600)).toBe(true);
    expect(fives.map((a) => a.msgId)).toEqual(expect.arrayContaining([m0, m2]));
    const twos = await list({ statusCodeClass: 200 });
    expect(twos.every((a) => a.responseStatusCode >= 200 && a.responseStatusCode < 300)).toBe(true);
    expect(twos.map((a) => a.msgId)).toEqual(expect.arrayContaining([m1, tagged]));
    expect(await msgs({ statusCodeClass: 0 })).toEqual([]);
    expect(new Set(await msgs({ eventTypes: ['b.only'] }))).toEqual(new Set([m1]));
    expect(await msgs({ eventTypes: ['a.thing'] })).not.toContain(m1);
    expect(await msgs({ channel: 'eu' })).toEqual([tagged]);
    expect(await msgs({ tag: 'vip' })).toEqual([tagged]);
    expect(await msgs({ tag: 'other' })).toEqual([]);
    const byMsg = await api.svix.messageAttempt.listByMsg(appId, m1, {
      statusCodeClass: 200,
      eventTypes: ['a.thing'],
    });
    expect(byMsg.data).toEqual([]);
    const bad = await api.http('GET', `/api/v1/app/${appId}/attempt/endpoint/${epA}?status_code_class=250`);
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['query', 'status_code_class']);
  });
});
