import { createHmac } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  type WebhookVerificationError,
  verifyGithub,
  verifyShopify,
  verifySlack,
  verifyStripe,
} from '@hookline/verify';

const body = JSON.stringify({ id: 'evt_123', object: 'event', type: 'payment_intent.succeeded' });
const now = () => Math.floor(Date.now() / 1000);
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: WebhookVerificationError) => e.code,
  );

describe('Stripe', () => {
  const secret = 'whsec_test_secret_for_hookline';

  it('verifies headers from stripe.webhooks.generateTestHeaderString', async () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    const result = await verifyStripe(body, { 'stripe-signature': header }, secret);
    expect(result.id).toBe('evt_123');
    expect(result.payload).toEqual(JSON.parse(body));
    expect(result.timestamp).toBeCloseTo(now(), -2);
  });

  it('refuses a tolerance that is not a non-negative number (NaN would accept any timestamp)', async () => {
    const old = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: now() - 86_400,
    });
    await expect(
      verifyStripe(body, { 'stripe-signature': old }, secret, { toleranceSeconds: Number.NaN }),
    ).rejects.toThrow(RangeError);
  });

  it('accepts one of several v1 entries and one of several secrets', async () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    const withExtra = `${header},v1=${'ab'.repeat(32)}`;
    await expect(
      verifyStripe(body, { 'Stripe-Signature': withExtra }, ['whsec_other', secret]),
    ).resolves.toBeDefined();
  });

  it('maps failures to the shared codes', async () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    expect(await codeOf(verifyStripe(body, {}, secret))).toBe('MISSING_HEADER');
    expect(await codeOf(verifyStripe(`${body} `, { 'stripe-signature': header }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verifyStripe(body, { 'stripe-signature': header }, 'whsec_wrong'))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verifyStripe(body, { 'stripe-signature': 't=123' }, secret))).toBe(
      'INVALID_SIGNATURE_FORMAT',
    );
    const old = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now() - 301 });
    expect(await codeOf(verifyStripe(body, { 'stripe-signature': old }, secret))).toBe('TIMESTAMP_TOO_OLD');
    const future = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: now() + 301,
    });
    expect(await codeOf(verifyStripe(body, { 'stripe-signature': future }, secret))).toBe(
      'TIMESTAMP_TOO_NEW',
    );
    expect(await codeOf(verifyStripe(JSON.parse(body), { 'stripe-signature': header }, secret))).toBe(
      'BODY_NOT_RAW',
    );
    expect(await codeOf(verifyStripe(body, { 'stripe-signature': header }, ''))).toBe('INVALID_SECRET');
  });
});

describe('GitHub', () => {
  const secret = "It's a Secret to Everybody";

  it('verifies X-Hub-Signature-256 from @octokit/webhooks-methods sign', async () => {
    const signature = await octokitSign(secret, body);
    expect(signature).toMatch(/^sha256=/);
    const headers = { 'x-hub-signature-256': signature, 'x-github-delivery': 'delivery-1' };
    expect(await verifyGithub(body, headers, secret)).toEqual({
      id: 'delivery-1',
      timestamp: undefined,
      payload: JSON.parse(body),
    });
  });

  it('maps failures to the shared codes', async () => {
    const signature = await octokitSign(secret, body);
    expect(await codeOf(verifyGithub(body, {}, secret))).toBe('MISSING_HEADER');
    expect(await codeOf(verifyGithub(`${body}\n`, { 'x-hub-signature-256': signature }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verifyGithub(body, { 'x-hub-signature-256': signature.slice(7) }, secret))).toBe(
      'INVALID_SIGNATURE_FORMAT',
    );
  });
});

describe('Shopify', () => {
  const secret = 'shpss_client_secret';
  const hmac = (b: string, s = secret) => createHmac('sha256', s).update(b).digest('base64');

  it('verifies X-Shopify-Hmac-Sha256', async () => {
    const headers = { 'X-Shopify-Hmac-Sha256': hmac(body), 'X-Shopify-Webhook-Id': 'wh-1' };
    expect(await verifyShopify(body, headers, secret)).toMatchObject({
      id: 'wh-1',
      payload: JSON.parse(body),
    });
  });

  it('maps failures to the shared codes', async () => {
    expect(await codeOf(verifyShopify(body, { 'x-shopify-hmac-sha256': hmac(body, 'other') }, secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verifyShopify(body, { 'x-shopify-hmac-sha256': 'abc' }, secret))).toBe(
      'INVALID_SIGNATURE_FORMAT',
    );
    expect(await codeOf(verifyShopify(body, {}, secret))).toBe('MISSING_HEADER');
  });
});

describe('Slack', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const signature = (ts: number, b: string) =>
    `v0=${createHmac('sha256', secret).update(`v0:${ts}:${b}`).digest('hex')}`;

  it('verifies v0 signatures of JSON and form-encoded bodies', async () => {
    const ts = now();
    const events = JSON.stringify({ event_id: 'Ev123', type: 'event_callback' });
    const result = await verifySlack(
      events,
      { 'x-slack-signature': signature(ts, events), 'x-slack-request-timestamp': String(ts) },
      secret,
    );
    expect(result).toMatchObject({ id: 'Ev123', timestamp: ts, payload: { type: 'event_callback' } });
    const form = 'command=%2Fweather&text=94070';
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-signature': signature(ts, form),
      'x-slack-request-timestamp': String(ts),
    };
    expect((await verifySlack(form, headers, secret)).payload).toEqual({
      command: '/weather',
      text: '94070',
    });
  });

  it('maps failures to the shared codes', async () => {
    const ts = now();
    const h = (t: number, sig = signature(t, body)) => ({
      'x-slack-signature': sig,
      'x-slack-request-timestamp': String(t),
    });
    expect(await codeOf(verifySlack(body, h(ts - 301), secret))).toBe('TIMESTAMP_TOO_OLD');
    expect(await codeOf(verifySlack(body, h(ts + 301), secret))).toBe('TIMESTAMP_TOO_NEW');
    expect(await codeOf(verifySlack(body, h(ts, signature(ts + 1, body)), secret))).toBe(
      'NO_MATCHING_SIGNATURE',
    );
    expect(await codeOf(verifySlack(body, h(ts, 'v0='), secret))).toBe('INVALID_SIGNATURE_FORMAT');
    expect(await codeOf(verifySlack(body, { 'x-slack-signature': signature(ts, body) }, secret))).toBe(
      'MISSING_HEADER',
    );
    expect(await codeOf(verifySlack(body, { ...h(ts), 'x-slack-request-timestamp': 'soon' }, secret))).toBe(
      'INVALID_TIMESTAMP',
    );
  });
});
