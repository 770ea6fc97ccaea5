import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateHmacSecret } from '../../src/core/signing.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { type Harness, harness } from './fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

const HOUR = 3_600_000;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

forEachBackend('delivery end to end: what goes on the wire', (backend) => {
  let h: Harness;
  let receiver: Receiver;
  beforeEach(async () => {
    h = await harness(backend);
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('sends Standard Webhooks headers that the standardwebhooks and svix verifiers accept', async () => {
    const endpoint = await h.endpoint(`${receiver.url}/in`);
    const secret = endpoint.secrets[0]!.key;
    h.worker().start();
    const payload = { type: 'payment.succeeded', data: { id: 'pay_1', note: 'crème brûlée ✓' } };
    const msgId = await h.send(payload);
    const [req] = await receiver.waitFor(1);

    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/in');
    expect(req!.body).toBe(JSON.stringify(payload));
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe(`Hookline/${version}`);
    expect(req!.headers['webhook-id']).toBe(msgId);
    const headers = req!.headers as Record<string, string>;
    expect(new StandardWebhook(secret).verify(req!.body, headers)).toEqual(payload);
    expect(new SvixWebhook(secret).verify(req!.body, headers)).toEqual(payload);
    expect(() => new StandardWebhook(generateHmacSecret()).verify(req!.body, headers)).toThrow();
  });

  it('signs with both secrets during rotation, and each one verifies', async () => {
    const current = generateHmacSecret();
    const previous = generateHmacSecret();
    const expired = generateHmacSecret();
    await h.endpoint(receiver.url, {
      secrets: [
        { key: current, expiresAt: null },
        { key: previous, expiresAt: new Date(Date.now() + 24 * HOUR) },
        { key: expired, expiresAt: new Date(Date.now() - HOUR) },
      ],
    });
    h.worker().start();
    await h.send();
    const [req] = await receiver.waitFor(1);
    const headers = req!.headers as Record<string, string>;

    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new StandardWebhook(secret).verify(req!.body, headers)).toBeTruthy();
      expect(new SvixWebhook(secret).verify(req!.body, headers)).toBeTruthy();
    }
    expect(() => new SvixWebhook(expired).verify(req!.body, headers)).toThrow();
  });

  it("adds the endpoint's custom headers without letting them replace signed ones", async () => {
    const endpoint = await h.endpoint(receiver.url, {
      headers: {
        'X-Tenant': 'acme',
        'x-trace': 'abc123',
        'webhook-id': 'forged',
        'content-type': 'text/plain',
      },
    });
    h.worker().start();
    const msgId = await h.send();
    const [req] = await receiver.waitFor(1);

    expect(req!.headers['x-tenant']).toBe('acme');
    expect(req!.headers['x-trace']).toBe('abc123');
    expect(req!.headers['webhook-id']).toBe(msgId);
    expect(req!.headers['content-type']).toBe('application/json');
    const secret = endpoint.secrets[0]!.key;
    expect(
      new StandardWebhook(secret).verify(req!.body, req!.headers as Record<string, string>),
    ).toBeTruthy();
  });

  it('does not follow redirects: the attempt fails as redirect and the target receives nothing', async () => {
    const target = await startReceiver();
    try {
      receiver.respondWith(() => ({ status: 302, headers: { location: `${target.url}/stolen` } }));
      await h.endpoint(receiver.url);
      h.worker({ retrySchedule: [50] }).start();
      const msgId = await h.send();
      await h.until(() => h.recorded.some((r) => r.outcome.kind === 'fail'), 'the final failure');

      const attempts = await h.attempts(msgId);
      expect(attempts.map((a) => [a.responseStatusCode, a.errorClass, a.status])).toEqual([
        [302, 'redirect', 'fail'],
        [302, 'redirect', 'fail'],
      ]);
      expect(target.requests).toHaveLength(0);
      expect(await h.delivery(msgId)).toMatchObject({ status: 'fail' });
    } finally {
      await target.close();
    }
  });

  it('records a refused connection as a connect error', async () => {
    const gone = await startReceiver();
    const url = gone.url;
    await gone.close();
    await h.endpoint(url);
    h.worker({ retrySchedule: [] }).start();
    const msgId = await h.send();
    await h.until(() => h.recorded.length === 1, 'the attempt');
    const [attempt] = await h.attempts(msgId);
    expect(attempt).toMatchObject({ status: 'fail', responseStatusCode: 0, errorClass: 'connect' });
    expect(attempt!.response).toContain('ECONNREFUSED');
  });

  it('sends nothing to a disabled endpoint', async () => {
    const off = await startReceiver();
    try {
      await h.endpoint(off.url, { disabled: true });
      await h.endpoint(receiver.url);
      h.worker().start();
      await h.send();
      await receiver.waitFor(1);
      await h.until(() => h.recorded.length === 1, 'the attempt');
      expect(off.requests).toHaveLength(0);
    } finally {
      await off.close();
    }
  });
});
