import { afterAll, beforeAll, expect, it } from 'vitest';
import { PAGE_PAYLOAD_BYTES } from '../../src/api/bounded-page.js';
import { forEachBackend } from '../helpers/backends.js';
import { type ApiHarness, settleDue, startApi } from './harness.js';

/**
 * Lists of large messages end a page early, with a valid iterator, instead of
 * building a `limit=250` page of 1 MiB payloads (262 MB) in memory.
 */
forEachBackend('API: list pages are bounded in bytes', (backend) => {
  const MIB = 1024 * 1024;
  let api: ApiHarness;
  let appId: string;
  let endpointId: string;
  const created: string[] = [];
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'pages' })).id;
    endpointId = (await api.svix.endpoint.create(appId, { url: 'https://example.com/hook' })).id;
    // Payloads just under the 1 MiB body limit, stored as the API would store them.
    for (let i = 0; i < 30; i++) {
      const payload = JSON.stringify({ n: i, blob: 'x'.repeat(MIB - 100) });
      const { message } = await api.store.messages.create({
        appId,
        eventType: 'big',
        eventId: null,
        payload,
        channels: null,
        tags: null,
      });
      created.unshift(message.id);
    }
    await settleDue(api.store, 'fail');
  });
  afterAll(() => api.close());

  /** Reads a list to its end through its iterators, checking each page's size in bytes. */
  async function readAll(path: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let iterator: string | null = null;
    for (let pages = 1; ; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await api.http('GET', `${path}${sep}limit=250${iterator ? `&iterator=${iterator}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.text.length).toBeLessThan(PAGE_PAYLOAD_BYTES + 64 * 1024);
      expect(res.json.data.length).toBeGreaterThan(0);
      ids.push(...res.json.data.map((m: { id: string }) => m.id));
      if (res.json.done) return { ids, pages };
      expect(res.json.iterator).toEqual(expect.any(String));
      iterator = res.json.iterator;
    }
  }

  it('GET /msg?limit=250: pages end early with done: false and an iterator; reading on returns every message once', async () => {
    const first = await api.http('GET', `/api/v1/app/${appId}/msg?limit=250`);
    expect(first.json.done).toBe(false);
    expect(first.json.data.length).toBeLessThan(30);
    expect(first.json.data[0].payload.n).toBe(29);
    const { ids, pages } = await readAll(`/api/v1/app/${appId}/msg`);
    expect(ids).toEqual(created);
    expect(pages).toBeGreaterThan(1);
  });

  it('prevIterator reads back the page before, bounded the same way', async () => {
    const first = await api.http('GET', `/api/v1/app/${appId}/msg?limit=250`);
    const second = await api.http(
      'GET',
      `/api/v1/app/${appId}/msg?limit=250&iterator=${first.json.iterator}`,
    );
    const back = await api.http(
      'GET',
      `/api/v1/app/${appId}/msg?limit=250&iterator=${encodeURIComponent(second.json.prevIterator)}`,
    );
    expect(back.status).toBe(200);
    expect(back.text.length).toBeLessThan(PAGE_PAYLOAD_BYTES + 64 * 1024);
    expect(back.json.data.map((m: { id: string }) => m.id)).toEqual(
      first.json.data.map((m: { id: string }) => m.id),
    );
  });

  it('GET /endpoint/{id}/msg is bounded the same way', async () => {
    const { ids } = await readAll(`/api/v1/app/${appId}/endpoint/${endpointId}/msg`);
    expect(ids).toEqual(created);
  });

  it('GET /attempt/endpoint/{id}?with_msg=true holds no more messages than a page budget', async () => {
    const res = await api.http(
      'GET',
      `/api/v1/app/${appId}/attempt/endpoint/${endpointId}?with_msg=true&limit=250`,
    );
    expect(res.status).toBe(200);
    expect(res.text.length).toBeLessThan(PAGE_PAYLOAD_BYTES + 64 * 1024);
    expect(res.json.done).toBe(false);
    expect(res.json.data[0].msg.payload.n).toBe(29);
  });

  it('small messages still come 250 to a page', async () => {
    const small = (await api.svix.application.create({ name: 'small' })).id;
    for (let i = 0; i < 260; i++) {
      await api.store.messages.create({
        appId: small,
        eventType: 'small',
        eventId: null,
        payload: `{"n":${i}}`,
        channels: null,
        tags: null,
      });
    }
    const res = await api.http('GET', `/api/v1/app/${small}/msg?limit=250`);
    expect(res.json.data).toHaveLength(250);
    expect(res.json.done).toBe(false);
  });
});
