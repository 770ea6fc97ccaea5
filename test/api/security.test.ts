import { afterAll, beforeAll, expect, it } from 'vitest';
import { BLOCKED_MATRIX } from '../helpers/blocked-addresses.js';
import { type ApiHarness, startApi } from './harness.js';
import { forEachBackend } from '../helpers/backends.js';

/** Paths and fields of every 422 issue in a response. */
const locs = (json: { detail: { loc: (string | number)[] }[] }) => json.detail.map((d) => d.loc.join('.'));
const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);

forEachBackend('API: endpoint URLs under the SSRF policy (guard on, the default)', (backend) => {
  let api: ApiHarness;
  let appId: string;
  beforeAll(async () => {
    api = await startApi(backend);
    appId = (await api.svix.application.create({ name: 'ssrf' })).id;
  });
  afterAll(() => api.close());

  it.each(BLOCKED_MATRIX)('refuses a URL whose host is %s (%s), saying why', async (address, reason) => {
    const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: `https://${urlHost(address)}:8443/hook` },
    });
    expect(res.status).toBe(422);
    expect(res.json.detail).toEqual([
      { loc: ['body', 'url'], msg: expect.stringContaining(reason), type: 'value_error.url.blocked' },
    ]);
    expect(res.json.detail[0].msg).toMatch(
      /deliveries to private networks are disabled.*--allow-private-networks/,
    );
  });

  it('names the address as written in the message, and sees through other spellings of it', async () => {
    const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'http://127.0.0.1/h' },
    });
    expect(res.json.detail[0].msg).toMatch(/^127\.0\.0\.1 is a loopback address; deliveries to private/);
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const r = await api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url } });
      expect(r.status, url).toBe(422);
      expect(r.json.detail[0].type, url).toBe('value_error.url.blocked');
    }
  });

  it('refuses a blocked URL on PUT and PATCH too, and leaves the endpoint unchanged', async () => {
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/ok' });
    const path = `/api/v1/app/${appId}/endpoint/${ep.id}`;
    const put = await api.http('PUT', path, { body: { url: 'http://10.0.0.8/internal' } });
    expect(put.status).toBe(422);
    expect(put.json.detail[0]).toMatchObject({ loc: ['body', 'url'], type: 'value_error.url.blocked' });
    const patch = await api.http('PATCH', path, { body: { url: 'http://[fd00:ec2::254]/latest' } });
    expect(patch.status).toBe(422);
    expect(patch.json.detail[0].msg).toContain('cloud metadata');
    expect((await api.svix.endpoint.get(appId, ep.id)).url).toBe('https://example.com/ok');
    // A PATCH that leaves the URL alone is not re-judged.
    expect((await api.http('PATCH', path, { body: { description: 'still fine' } })).status).toBe(200);
  });

  it('accepts names (checked on every connect instead) and public addresses', async () => {
    for (const url of ['http://localhost:9/h', 'https://hooks.example.com/h', 'https://93.184.216.34/h']) {
      const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url } });
      expect(res.status, url).toBe(201);
    }
  });

  it('refuses URLs with credentials, naming the field', async () => {
    for (const url of [
      'https://user:pass@example.com/h',
      'https://user@example.com/h',
      'https://:pw@example.com/',
    ]) {
      const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url } });
      expect(res.status, url).toBe(422);
      expect(res.json.detail, url).toEqual([
        {
          loc: ['body', 'url'],
          msg: expect.stringContaining('credentials'),
          type: 'value_error.url.credentials',
        },
      ]);
    }
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/c' });
    const patch = await api.http('PATCH', `/api/v1/app/${appId}/endpoint/${ep.id}`, {
      body: { url: 'https://a:b@example.com/c' },
    });
    expect(patch.status).toBe(422);
    expect(locs(patch.json)).toEqual(['body.url']);
  });

  it('accepts only http and https', async () => {
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ws://example.com/',
    ]) {
      const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url } });
      expect(res.status, url).toBe(422);
      expect(locs(res.json), url).toEqual(['body.url']);
    }
  });
});

forEachBackend('API: endpoint URLs when the operator allows private ranges', (backend) => {
  it('allowPrivateNetworks accepts every range', async () => {
    const api = await startApi(backend, { allowPrivateNetworks: true });
    try {
      const appId = (await api.svix.application.create({ name: 'dev' })).id;
      for (const [address] of BLOCKED_MATRIX) {
        const res = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
          body: { url: `http://${urlHost(address)}/hook` },
        });
        expect(res.status, address).toBe(201);
      }
    } finally {
      await api.close();
    }
  });

  it('allowedCidrs accepts the chosen ranges only', async () => {
    const api = await startApi(backend, { allowedCidrs: ['10.1.0.0/16', 'fd00:1::/32'] });
    try {
      const appId = (await api.svix.application.create({ name: 'cidrs' })).id;
      const post = (url: string) => api.http('POST', `/api/v1/app/${appId}/endpoint`, { body: { url } });
      expect((await post('http://10.1.2.3/h')).status).toBe(201);
      expect((await post('http://[fd00:1::5]/h')).status).toBe(201);
      expect((await post('http://10.2.0.1/h')).status).toBe(422);
      expect((await post('http://127.0.0.1/h')).status).toBe(422);
    } finally {
      await api.close();
    }
  });
});

forEachBackend('API: custom headers and payload size', (backend) => {
  let api: ApiHarness;
  let appId: string;
  let epPath: string;
  beforeAll(async () => {
    api = await startApi(backend, { maxBodyBytes: 4096 });
    appId = (await api.svix.application.create({ name: 'limits' })).id;
    const ep = await api.svix.endpoint.create(appId, { url: 'https://example.com/limits' });
    epPath = `/api/v1/app/${appId}/endpoint/${ep.id}`;
  });
  afterAll(() => api.close());

  const RESERVED = [
    'webhook-id',
    'Webhook-Signature',
    'webhook-timestamp',
    'webhook-anything',
    'svix-id',
    'Content-Type',
    'content-length',
    'Host',
    'user-agent',
    'connection',
    'transfer-encoding',
    'keep-alive',
    'upgrade',
    'te',
    'trailer',
    'expect',
    'proxy-connection',
  ];
  const BAD_VALUES = ['a\r\nInjected: 1', 'a\nb', 'a\rb', 'nul\u0000'];

  it.each(RESERVED)('refuses the reserved header %s on create, PUT and PATCH, naming it', async (name) => {
    const create = await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
      body: { url: 'https://example.com/h', headers: { [name]: 'x' } },
    });
    const put = await api.http('PUT', `${epPath}/headers`, { body: { headers: { [name]: 'x' } } });
    const patch = await api.http('PATCH', `${epPath}/headers`, { body: { headers: { [name]: 'x' } } });
    for (const [what, res] of [
      ['create', create],
      ['put', put],
      ['patch', patch],
    ] as const) {
      expect(res.status, what).toBe(422);
      expect(locs(res.json), what).toEqual([`body.headers.${name}`]);
      expect(res.json.detail[0].msg, what).toContain('set by Hookline');
    }
  });

  it.each(BAD_VALUES.map((v) => [JSON.stringify(v), v]))(
    'refuses the header value %s on create, PUT and PATCH',
    async (_shown, value) => {
      const headers = { 'X-Custom': value };
      const results = [
        await api.http('POST', `/api/v1/app/${appId}/endpoint`, {
          body: { url: 'https://example.com/v', headers },
        }),
        await api.http('PUT', `${epPath}/headers`, { body: { headers } }),
        await api.http('PATCH', `${epPath}/headers`, { body: { headers } }),
      ];
      for (const res of results) {
        expect(res.status).toBe(422);
        expect(locs(res.json)).toEqual(['body.headers.X-Custom']);
        expect(res.json.detail[0].msg).toContain('CR, LF');
      }
    },
  );

  it('keeps ordinary custom headers, and nothing was stored by the refused requests', async () => {
    const put = await api.http('PUT', `${epPath}/headers`, { body: { headers: { 'X-Tenant': 'acme' } } });
    expect(put.status).toBe(204);
    const got = await api.http('GET', `${epPath}/headers`);
    expect(got.json).toEqual({ headers: { 'X-Tenant': 'acme' }, sensitive: [] });
  });

  it('413 for a message over maxBodyBytes, 202 just under it', async () => {
    const envelope = JSON.stringify({ eventType: 'big', payload: { blob: '' } }).length;
    const fits = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'big', payload: { blob: 'x'.repeat(4096 - envelope) } },
    });
    expect(fits.status).toBe(202);
    const over = await api.http('POST', `/api/v1/app/${appId}/msg`, {
      body: { eventType: 'big', payload: { blob: 'x'.repeat(4097 - envelope) } },
    });
    expect(over.status).toBe(413);
    expect(over.json.code).toBe('payload_too_large');
  });

  it('413 over the 1 MiB default', async () => {
    const big = await startApi(backend);
    try {
      const id = (await big.svix.application.create({ name: 'default-limit' })).id;
      const res = await big.http('POST', `/api/v1/app/${id}/msg`, {
        body: { eventType: 'big', payload: { blob: 'x'.repeat(1024 * 1024) } },
      });
      expect(res.status).toBe(413);
      expect(res.json.code).toBe('payload_too_large');
    } finally {
      await big.close();
    }
  });
});
