import { readFileSync } from 'node:fs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import * as signing from '../core/signing.js';
import { generateHmacSecret } from '../core/signing.js';
import { activeSecrets, createHeaderBuilder, createSignerCache, USER_AGENT } from './headers.js';

const HOUR = 3_600_000;

describe('headers', () => {
  const payload = JSON.stringify({ type: 'invoice.paid', amount: 1200, note: 'häagen-dazs ✓' });
  const build = createHeaderBuilder();

  it('sets the Standard Webhooks headers that verify with standardwebhooks and svix', () => {
    const secret = generateHmacSecret();
    const now = new Date();
    const headers = build(
      { msgId: 'msg_1', payload, secrets: [{ key: secret, expiresAt: null }], customHeaders: {} },
      now,
    );
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(headers['content-type']).toBe('application/json');
    expect(new StandardWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(new SvixWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
  });

  it('names the version from package.json in the user agent', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(USER_AGENT).toBe(`Hookline/${version}`);
    const headers = build({ msgId: 'm', payload, secrets: [], customHeaders: {} }, new Date());
    expect(headers['user-agent']).toBe(USER_AGENT);
  });

  it('signs with the current secret and with rotated ones until they expire', () => {
    const now = new Date();
    const current = generateHmacSecret();
    const previous = generateHmacSecret();
    const expired = generateHmacSecret();
    const secrets = [
      { key: current, expiresAt: null },
      { key: previous, expiresAt: new Date(now.getTime() + HOUR) },
      { key: expired, expiresAt: new Date(now.getTime() - 1) },
    ];
    expect(activeSecrets(secrets, now)).toEqual([current, previous]);
    const headers = build({ msgId: 'msg_2', payload, secrets, customHeaders: {} }, now);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const key of [current, previous]) {
      expect(new StandardWebhook(key).verify(payload, headers)).toBeTruthy();
      expect(new SvixWebhook(key).verify(payload, headers)).toBeTruthy();
    }
    expect(() => new StandardWebhook(expired).verify(payload, headers)).toThrow();
  });

  it('adds custom headers but never lets them override signed or framing headers', () => {
    const secret = generateHmacSecret();
    const headers = build(
      {
        msgId: 'msg_3',
        payload,
        secrets: [{ key: secret, expiresAt: null }],
        customHeaders: {
          'X-Tenant': 'acme',
          'Webhook-Id': 'forged',
          'webhook-signature': 'v1,forged',
          'Content-Type': 'text/plain',
          'Content-Length': '1',
          'Transfer-Encoding': 'chunked',
          'X-Injected': 'a\r\nx-evil: 1',
          'User-Agent': 'Custom/1.0',
        },
      },
      new Date(),
    );
    expect(headers['x-tenant']).toBe('acme');
    expect(headers['webhook-id']).toBe('msg_3');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['content-length']).toBeUndefined();
    expect(headers['transfer-encoding']).toBeUndefined();
    expect(headers['x-injected']).toBeUndefined();
    expect(headers['user-agent']).toBe('Custom/1.0');
    expect(new StandardWebhook(secret).verify(payload, headers)).toBeTruthy();
  });

  it('re-signs with a fresh timestamp on each attempt', () => {
    const secret = generateHmacSecret();
    const input = { msgId: 'msg_4', payload, secrets: [{ key: secret, expiresAt: null }], customHeaders: {} };
    const first = build(input, new Date(1_700_000_000_000));
    const second = build(input, new Date(1_700_000_060_000));
    expect(first['webhook-id']).toBe(second['webhook-id']);
    expect(Number(second['webhook-timestamp']) - Number(first['webhook-timestamp'])).toBe(60);
    expect(first['webhook-signature']).not.toBe(second['webhook-signature']);
  });

  it('caches signers per secret within a bound', () => {
    const spy = vi.spyOn(signing, 'createSigner');
    try {
      const signerFor = createSignerCache(2);
      const [a, b, c] = [generateHmacSecret(), generateHmacSecret(), generateHmacSecret()];
      const first = signerFor(a);
      expect(signerFor(a)).toBe(first);
      signerFor(b);
      signerFor(a); // a is now the most recently used
      signerFor(c); // evicts b
      expect(signerFor(a)).toBe(first);
      const calls = spy.mock.calls.length;
      signerFor(b);
      expect(spy.mock.calls.length).toBe(calls + 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('skips a stored __proto__ header (as parsed from the database), sending the others', () => {
    const customHeaders = JSON.parse('{"__proto__":"x","X-Tenant":"acme"}') as Record<string, string>;
    const headers = build({ msgId: 'm', payload, secrets: [], customHeaders }, new Date());
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.hasOwn(headers, '__proto__')).toBe(false);
    expect(headers['x-tenant']).toBe('acme');
  });
});
