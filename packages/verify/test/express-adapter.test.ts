import { createServer } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { expressWebhook, generateSecret, testHeaders, verifyStripe } from '@hookline/verify';
import Stripe from 'stripe';
import { listen, post } from './http.js';

const secret = generateSecret();
const stripeSecret = 'whsec_stripe_for_express';
const received: unknown[] = [];
const failures: unknown[] = [];

const app = express();
// Mounted before express.json(): the adapter reads the raw body itself.
app.post(
  '/before-json',
  expressWebhook({
    secret,
    handler: (event, _req: express.Request, res: express.Response) => {
      received.push(event);
      if ((event.payload as { custom?: boolean }).custom) res.status(202).json({ accepted: event.id });
    },
  }),
);
// Another scheme through the same adapter.
app.post(
  '/stripe',
  expressWebhook({
    verify: (body, headers) => verifyStripe(body, headers, stripeSecret),
    handler: (event) => ({ stripeEvent: event.id }),
  }),
);
// express.raw() leaves a Buffer, which the adapter accepts.
app.post(
  '/raw',
  express.raw({ type: '*/*' }),
  expressWebhook({ secret, handler: (event) => ({ viaRaw: event.payload }) }),
);
app.post(
  '/throws',
  expressWebhook({
    secret,
    handler: () => {
      throw new Error('kaboom');
    },
  }),
);
app.use(express.json());
app.post('/json-route', (req, res) => {
  res.json({ parsed: req.body });
});
// Mounted after express.json(): the bytes are gone, so the answer explains the fix.
app.post('/after-json', expressWebhook({ secret, handler: (event) => received.push(event) }));
app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  failures.push(error);
  res.status(500).json({ handledBy: 'express error handler', message: error.message });
});

// Without express.json() anywhere.
const bare = express();
bare.post('/hook', expressWebhook({ secret, handler: (event) => ({ bare: event.payload }) }));

const base = await listen(createServer(app));
const bareBase = await listen(createServer(bare));

describe('Express adapter over real HTTP', () => {
  it('verifies when mounted before express.json(), which still parses other routes', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'a' }, { id: 'msg_express_1' });
    expect(await post(`${base}/before-json`, body, headers)).toEqual({ status: 204, body: undefined });
    expect(received.at(-1)).toMatchObject({ id: 'msg_express_1', payload: { type: 'a' } });
    expect(await post(`${base}/json-route`, '{"x":1}', { 'content-type': 'application/json' })).toEqual({
      status: 200,
      body: { parsed: { x: 1 } },
    });
  });

  it('lets the handler answer through res', async () => {
    const { body, headers } = await testHeaders(secret, { custom: true }, { id: 'msg_custom' });
    expect(await post(`${base}/before-json`, body, headers)).toEqual({
      status: 202,
      body: { accepted: 'msg_custom' },
    });
  });

  it('verifies in an app without express.json()', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'bare' });
    expect(await post(`${bareBase}/hook`, body, headers)).toEqual({
      status: 200,
      body: { bare: { type: 'bare' } },
    });
  });

  it('accepts the Buffer left by express.raw()', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'raw' });
    expect(await post(`${base}/raw`, body, headers)).toEqual({
      status: 200,
      body: { viaRaw: { type: 'raw' } },
    });
  });

  it('answers 400 BODY_NOT_RAW with the fix when mounted after express.json()', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(secret, { type: 'late' });
    const result = await post(`${base}/after-json`, body, headers);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 'BODY_NOT_RAW' });
    expect((result.body as { message: string }).message).toContain('express.raw');
    expect(received.length).toBe(before);
  });

  it('answers 401 for a bad signature without running the handler', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(secret, { type: 'a' });
    const result = await post(`${base}/before-json`, body.replace('"a"', '"b"'), headers);
    expect(result).toMatchObject({ status: 401, body: { code: 'NO_MATCHING_SIGNATURE' } });
    expect(received.length).toBe(before);
  });

  it('verifies a Stripe webhook through the verify option', async () => {
    const body = JSON.stringify({ id: 'evt_express', object: 'event' });
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeSecret });
    const headers = { 'content-type': 'application/json', 'stripe-signature': header };
    expect(await post(`${base}/stripe`, body, headers)).toEqual({
      status: 200,
      body: { stripeEvent: 'evt_express' },
    });
    expect(await post(`${base}/stripe`, `${body} `, headers)).toMatchObject({ status: 401 });
  });

  it("passes handler errors to Express's error handling", async () => {
    const { body, headers } = await testHeaders(secret, { type: 'x' });
    expect(await post(`${base}/throws`, body, headers)).toEqual({
      status: 500,
      body: { handledBy: 'express error handler', message: 'kaboom' },
    });
    expect(failures).toHaveLength(1);
  });
});
