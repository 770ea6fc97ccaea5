import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

/** Every error case over raw HTTP: clear 4xx in the Svix shape, never a 500. */
forEachBackend('API errors (raw HTTP)', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend, { maxBodyBytes: 4096 });
    appId = (await api.svix.application.create({ name: 'errors' })).id;
  });
  afterAll(() => api.close());

  it('401 without a token, with a wrong token and with a non-Bearer scheme', async () => {
    for (const res of [
      await api.http('GET', '/api/v1/app', { token: null }),
      await api.http('GET', '/api/v1/app', { token: 'wrong-token' }),
      await api.http('GET', '/api/v1/app', { token: null, headers: { authorization: 'Basic abc' } }),
      await api.http('POST', '/api/v1/app', { token: 'x', body: { name: 'a' } }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ code: 'authentication_failed', detail: expect.any(String) });
    }
  });

  it('health answers without a token', async () => {
    const res = await api.http('GET', '/api/v1/health', { token: null });
    expect(res.status).toBe(204);
    await expect(api.svix.health.get()).resolves.toBeUndefined();
  });

  it('healthOnly serves the health probe and nothing else', async () => {
    const probe = await startApi(backend, {}, true);
    try {
      expect((await probe.http('GET', '/api/v1/health', { token: null })).status).toBe(204);
      expect((await probe.http('GET', '/api/v1/app')).status).toBe(404);
    } finally {
      await probe.close();
    }
  });

  it('404 for unknown ids, in every resource', async () => {
    const paths = [
      '/api/v1/app/app_nope',
      `/api/v1/app/${appId}/endpoint/ep_nope`,
      `/api/v1/app/${appId}/endpoint/ep_nope/secret`,
      `/api/v1/app/${appId}/msg/msg_nope`,
      `/api/v1/app/${appId}/attempt/msg/msg_nope`,
      `/api/v1/app/${appId}/msg/msg_nope/endpoint`,
      '/api/v1/event-type/nope.nope',
    ];
    for (const path of paths) {
      const res = await api.http('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.json).toEqual({ code: 'not_found', detail: expect.any(String) });
    }
    const del = await api.http('DELETE', '/api/v1/app/app_nope');
    expect(del.status).toBe(404);
    // An id-shaped app id skips the lookup on the accept path; the insert still refuses it.
    for (const missing of ['app_00000000000000000000000', 'no-such-uid']) {
      const post = await api.http('POST', `/api/v1/app/${missing}/msg`, {
        body: { eventType: 'a.b', payload: {} },
      });
      expect(post.status, missing).toBe(404);
      expect(post.json).toEqual({ code: 'not_found', detail: 'application not found' });
    }
  });

  it('404 for unknown routes and methods', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nothing'],
      // `/` is the dashboard now (src/api/ui.ts); other paths outside /api are still unknown.
      ['GET', '/no/such/page'],
      ['DELETE', '/api/v1/app'],
      ['POST', '/'],
    ] as const) {
      const res = await api.http(method, path);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('not_found');
    }
  });

  it('400 for malformed JSON', async () => {
    const res = await api.http('POST', '/api/v1/app', {
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 'bad_request', detail: expect.stringContaining('malformed JSON') });
  });

  it('400 in the {code, detail} shape for a malformed %-escape in the URL', async () => {
    const res = await api.http('GET', '/api/v1/app/%ZZ');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 'bad_request', detail: expect.any(String) });
  });

  it('NUL characters: 422 in bodies and queries, 404 in paths (no id holds one); kept in metadata', async () => {
    const body = await api.http('POST', '/api/v1/app', { body: { name: 'a\u0000b' } });
    expect(body.status).toBe(422);
    expect(body.json.detail).toEqual([
      { loc: ['body', 'name'], msg: expect.stringContaining('NUL'), type: 'value_error.str.nul' },
    ]);
    // Metadata is stored as JSON, which holds NUL on both backends.
    const kept = await api.http('POST', '/api/v1/app', { body: { name: 'n', metadata: { k: 'a\u0000b' } } });
    expect(kept.status).toBe(201);
    expect(kept.json.metadata).toEqual({ k: 'a\u0000b' });
    for (const q of ['iterator=%00', 'channel=a%00', 'event_types=a,%00b']) {
      const res = await api.http('GET', `/api/v1/app/${appId}/msg?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.json.detail[0].type, q).toBe('value_error.str.nul');
    }
    const path = await api.http('GET', '/api/v1/app/%00');
    expect(path.status).toBe(404);
    const msg = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'a.b', payload: {}, tags: ['x\u0000'] },
    });
    expect(msg.status).toBe(422);
    expect(msg.json.detail[0].loc).toEqual(['body', 'tags', 0]);
  });

  it('422 for JSON nested too deep, and nothing is stored', async () => {
    // 2,000 levels fit the 4 KiB limit here; serialising them back would overflow the stack.
    const payload = `${'['.repeat(2000)}${']'.repeat(2000)}`;
    const res = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      rawBody: `{"eventType":"deep.nest","payload":${payload}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
    expect(res.json).toEqual({
      detail: [{ loc: ['body'], msg: 'JSON nested deeper than 128 levels', type: 'value_error.json.depth' }],
    });
    const list = await api.http('GET', `/api/v1/app/${appId}/msg?event_types=deep.nest`);
    expect(list.status).toBe(200);
    expect((list.json as { data: unknown[] }).data).toEqual([]);
  });

  it('415 for a body that is not JSON', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await api.http('POST', '/api/v1/app', {
        rawBody: 'name=x',
        headers: { 'content-type': contentType },
      });
      expect(res.status, contentType).toBe(415);
      expect(res.json.code).toBe('unsupported_media_type');
    }
    const none = await api.http('POST', '/api/v1/app', { rawBody: '{"name":"x"}' });
    expect(none.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const res = await api.http('POST', '/api/v1/app', {
      rawBody: '{"name":"charset"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
  });

  it('413 for a body over maxBodyBytes', async () => {
    const res = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'big', payload: { blob: 'x'.repeat(5000) } },
    });
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('payload_too_large');
  });

  it('422 with {detail: [{loc, msg, type}]} for wrong types, naming every field', async () => {
    const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 42, version: 'one', disabled: 'yes', channels: 'a', metadata: { a: 1 } },
    });
    expect(res.status).toBe(422);
    const locs = res.json.detail.map((d: { loc: string[] }) => d.loc.join('.'));
    expect(locs).toEqual(
      expect.arrayContaining([
        'body.url',
        'body.version',
        'body.disabled',
        'body.channels',
        'body.metadata.a',
      ]),
    );
    for (const d of res.json.detail) {
      expect(d).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
    }
  });

  it('422 for a body that is not an object and for a missing required field', async () => {
    const arr = await api.http('POST', '/api/v1/app', { body: [1, 2] });
    expect(arr.status).toBe(422);
    expect(arr.json.detail[0].loc).toEqual(['body']);
    const empty = await api.http('POST', '/api/v1/app', { body: {} });
    expect(empty.status).toBe(422);
    expect(empty.json.detail).toEqual([
      { loc: ['body', 'name'], msg: 'field required', type: 'value_error.missing' },
    ]);
    const noBody = await api.http('POST', '/api/v1/app', { headers: { 'content-type': 'application/json' } });
    expect(noBody.status).toBe(422);
  });

  it('422 for bad query parameters', async () => {
    for (const q of ['limit=0', 'limit=abc', 'limit=251', 'order=sideways']) {
      const res = await api.http('GET', `/api/v1/app?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.json.detail[0].loc[0]).toBe('query');
    }
    // Lists kept in ascending order only refuse `descending` rather than ignore it.
    for (const path of [
      '/api/v1/app',
      `/api/v1/app/${appId}/endpoint`,
      '/api/v1/event-type',
      '/api/v1/operational-webhook/endpoint',
    ]) {
      const res = await api.http('GET', `${path}?order=descending`);
      expect(res.status, path).toBe(422);
      expect(res.json.detail[0].loc, path).toEqual(['query', 'order']);
    }
    for (const before of ['yesterday', '2024-02-30', '2023-02-29T00:00:00Z', '2024-13-01']) {
      const res = await api.http('GET', `/api/v1/app/${appId}/msg?before=${before}`);
      expect(res.status, before).toBe(422);
      expect(res.json.detail[0].loc).toEqual(['query', 'before']);
    }
    // The last day of a month, a leap day, an offset: all real times.
    for (const before of ['2024-02-29', '2024-04-30T23:59:59+02:00', '2023-12-31T00:00:00Z']) {
      expect(
        (await api.http('GET', `/api/v1/app/${appId}/msg?before=${encodeURIComponent(before)}`)).status,
        before,
      ).toBe(200);
    }
  });

  it('422 for invalid URLs, uids, event type names, channels and secrets', async () => {
    const cases: [string, unknown, string][] = [
      [`/api/v1/app/${appId}/endpoint`, { url: 'ftp://example.com' }, 'body.url'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'not a url' }, 'body.url'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', uid: 'has space' }, 'body.uid'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', uid: 'ep_lookslikeanid' }, 'body.uid'],
      ['/api/v1/app', { name: 'shadow', uid: 'app_0000000000000000000000' }, 'body.uid'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', secret: 'whsec_short' }, 'body.secret'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', filterTypes: [''] }, 'body.filterTypes.0'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', filterTypes: [] }, 'body.filterTypes'],
      [
        `/api/v1/app/${appId}/endpoint`,
        { url: 'https://e.com', channels: Array.from({ length: 11 }, (_, i) => `c${i}`) },
        'body.channels',
      ],
      [
        `/api/v1/app/${appId}/endpoint`,
        { url: 'https://e.com', channels: ['x'.repeat(129)] },
        'body.channels.0',
      ],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', rateLimit: 0 }, 'body.rateLimit'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', version: 0 }, 'body.version'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', maxInFlight: -1 }, 'body.maxInFlight'],
      [`/api/v1/app/${appId}/endpoint`, { url: 'https://e.com', ordered: 'yes' }, 'body.ordered'],
      [
        `/api/v1/app/${appId}/endpoint`,
        { url: 'https://e.com', headers: { 'Webhook-Id': 'x' } },
        'body.headers.Webhook-Id',
      ],
      [
        `/api/v1/app/${appId}/endpoint`,
        { url: 'https://e.com', headers: { 'X-Ok': 'a\r\nInjected: 1' } },
        'body.headers.X-Ok',
      ],
      [
        `/api/v1/app/${appId}/endpoint`,
        { url: 'https://e.com', headers: { Host: 'x' } },
        'body.headers.Host',
      ],
      ['/api/v1/app', { name: 'a', uid: '' }, 'body.uid'],
      ['/api/v1/event-type', { name: 'bad name!', description: 'x' }, 'body.name'],
      ['/api/v1/event-type', { name: 'ok' }, 'body.description'],
      [`/api/v1/app/${appId}/msg`, { eventType: 'a b', payload: {} }, 'body.eventType'],
      [`/api/v1/app/${appId}/msg`, { eventType: 'a' }, 'body.payload'],
      [`/api/v1/app/${appId}/msg`, { eventType: 'a', payload: {}, channels: [1] }, 'body.channels.0'],
      [`/api/v1/app/${appId}/msg`, { eventType: 'a', payload: {}, eventId: 'has space' }, 'body.eventId'],
    ];
    for (const [path, body, loc] of cases) {
      const res = await api.http('POST', path, { body });
      expect(res.status, `${loc} ${JSON.stringify(body)}`).toBe(422);
      expect(res.json.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toContain(loc);
    }
  });

  it('treats null as "not sent" the way other Svix SDKs send unset fields', async () => {
    const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'https://e.com/n', description: null, rateLimit: 3, throttleRate: null, deliverAt: null },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ description: '', rateLimit: 3 });
    const msg = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'n.n', payload: {}, deliverAt: null, channels: null, tags: null },
    });
    expect(msg.status).toBe(202);
    const scheduled = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'n.n', payload: {}, deliverAt: new Date().toISOString() },
    });
    expect(scheduled.status).toBe(422);
    expect(scheduled.json.detail[0].loc).toEqual(['body', 'deliverAt']);
  });

  it('the Svix client surfaces errors as ApiException with the body', async () => {
    const err = await api.svix.application.get('app_missing').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 404, body: { code: 'not_found' } });
    const bad = await api.svix.endpoint.create(appId, { url: 'gopher://x' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 422, body: { detail: [{ loc: ['body', 'url'] }] } });
  });
});
