import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { generateSecret, sign, testHeaders, verify } from '@hookline/verify';

const payload = { type: 'invoice.paid', data: { id: 'in_1', amount: 1999, note: 'ünïcødé ✓' } };
const body = JSON.stringify(payload);

describe('interoperability with standardwebhooks', () => {
  it('verifies headers made by standardwebhooks', async () => {
    const secret = generateSecret();
    const now = new Date();
    const signature = new StandardWebhook(secret).sign('msg_std', now, body);
    const headers = {
      'webhook-id': 'msg_std',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(await verify(body, headers, secret)).toMatchObject({ id: 'msg_std', payload });
  });

  it('makes headers that standardwebhooks verifies, for each rotated secret', async () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const { body: sent, headers } = await testHeaders([a, b], payload);
    expect(new StandardWebhook(a).verify(sent, headers)).toEqual(payload);
    expect(new StandardWebhook(b).verify(sent, headers)).toEqual(payload);
    expect(() => new StandardWebhook(generateSecret()).verify(sent, headers)).toThrow();
  });
});

describe('interoperability with svix', () => {
  it('verifies svix-* headers made by svix', async () => {
    const secret = generateSecret();
    const now = new Date();
    const headers = {
      'svix-id': 'msg_svix',
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new SvixWebhook(secret).sign('msg_svix', now, body),
    };
    expect(await verify(body, headers, secret)).toMatchObject({ id: 'msg_svix', payload });
  });

  it('makes headers that svix verifies, under webhook-* and svix-* names', async () => {
    const secret = generateSecret();
    const ts = Math.floor(Date.now() / 1000);
    const signature = await sign(secret, 'msg_ours', ts, body);
    const svix = new SvixWebhook(secret);
    expect(
      svix.verify(body, {
        'webhook-id': 'msg_ours',
        'webhook-timestamp': String(ts),
        'webhook-signature': signature,
      }),
    ).toEqual(payload);
    expect(
      svix.verify(body, { 'svix-id': 'msg_ours', 'svix-timestamp': String(ts), 'svix-signature': signature }),
    ).toEqual(payload);
    expect(() =>
      svix.verify(`${body} `, {
        'svix-id': 'msg_ours',
        'svix-timestamp': String(ts),
        'svix-signature': signature,
      }),
    ).toThrow();
  });
});
