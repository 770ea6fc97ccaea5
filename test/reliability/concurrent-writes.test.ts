import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../api/harness.js';
import { forEachBackend } from '../helpers/backends.js';

/**
 * The same write sent many times at once, as a client retrying in a hurry
 * (or several clients racing) would: exactly one wins, the others get the
 * documented 409, and nothing answers 5xx. A race on a unique key must end in
 * the store's constraint, mapped to `conflict`, never in an unmapped error.
 */
const AT_ONCE = 12;

forEachBackend('reliability: the same write, many at once', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend, { allowPrivateNetworks: true });
    appId = (await api.http('POST', '/api/v1/app', { body: { name: 'race' } })).json.id;
  });
  afterAll(() => api?.close());

  const race = async (
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, () => api.http(method, `/api/v1${path}`, { body, headers })),
    );
    for (const a of answers) expect(a.status, `${method} ${path}: ${a.text}`).toBeLessThan(500);
    return answers;
  };
  const count = (answers: { status: number }[], status: number) =>
    answers.filter((a) => a.status === status).length;

  it.each([
    ['an application uid', '/app', { name: 'a', uid: 'race-app' }],
    ['an event type name', '/event-type', { name: 'race.event', description: 'd' }],
  ])('creating %s: one 201, the rest 409 conflict', async (_what, path, body) => {
    const answers = await race('POST', path, body);
    expect(count(answers, 201)).toBe(1);
    expect(count(answers, 409)).toBe(AT_ONCE - 1);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.json.code).toBe('conflict');
  });

  it('creating an endpoint uid: one 201, the rest 409 conflict', async () => {
    const answers = await race('POST', `/app/${appId}/endpoint`, {
      url: 'http://127.0.0.1:9/x',
      uid: 'race-ep',
    });
    expect(count(answers, 201)).toBe(1);
    expect(count(answers, 409)).toBe(AT_ONCE - 1);
  });

  it('a message eventId: one 202, the rest 409; one message stored', async () => {
    const answers = await race('POST', `/app/${appId}/msg`, {
      eventType: 'race.event',
      eventId: 'race-evt',
      payload: { a: 1 },
    });
    expect(count(answers, 202)).toBe(1);
    expect(count(answers, 409)).toBe(AT_ONCE - 1);
    const page = await api.http('GET', `/api/v1/app/${appId}/msg?limit=250`);
    expect(page.json.data.filter((m: { eventId: string }) => m.eventId === 'race-evt')).toHaveLength(1);
  });

  it('an Idempotency-Key: one message stored, every answer a 2xx or a documented 409', async () => {
    const answers = await race(
      'POST',
      `/app/${appId}/msg`,
      { eventType: 'race.event', payload: { b: 2 } },
      { 'idempotency-key': 'race-key-1' },
    );
    expect(answers.every((a) => a.status === 202 || a.json?.code === 'idempotency_in_progress')).toBe(true);
    const ids = new Set(answers.filter((a) => a.status === 202).map((a) => a.json.id));
    expect(ids.size).toBe(1);
    const page = await api.http('GET', `/api/v1/app/${appId}/msg?limit=250&with_content=true`);
    expect(page.json.data.filter((m: { payload: { b?: number } }) => m.payload.b === 2)).toHaveLength(1);
  });

  it('replacing one application (PUT) many times at once: every answer 200, one application', async () => {
    await api.http('POST', '/api/v1/app', { body: { name: 'put', uid: 'race-put' } });
    const answers = await race('PUT', '/app/race-put', { name: 'put again', uid: 'race-put' });
    expect(answers.map((a) => a.status)).toEqual(Array(AT_ONCE).fill(200));
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
  });

  it('deleting one endpoint many times at once: one 204, the rest 404 not_found', async () => {
    await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'http://127.0.0.1:9/d', uid: 'race-del' },
    });
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, () => api.http('DELETE', `/api/v1/app/${appId}/endpoint/race-del`)),
    );
    expect(count(answers, 204)).toBe(1);
    expect(count(answers, 404)).toBe(AT_ONCE - 1);
    for (const a of answers.filter((x) => x.status === 404)) expect(a.json.code).toBe('not_found');
  });
});
