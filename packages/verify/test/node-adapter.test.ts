import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  type VerifiedWebhook,
  createIdempotencyGuard,
  generateSecret,
  memoryStore,
  nodeWebhook,
  testHeaders,
} from '@hookline/verify';
import { listen, post } from './http.js';

const secret = generateSecret();
const received: VerifiedWebhook[] = [];
const errors: unknown[] = [];
const handler = nodeWebhook({
  secret,
  idempotency: createIdempotencyGuard(memoryStore()),
  limit: 64 * 1024,
  onError: (error) => errors.push(error),
  handler: (event, req) => {
    received.push(event);
    if ((event.payload as { fail?: boolean }).fail) throw new Error('handler failed');
    if ((event.payload as { reply?: boolean }).reply) return { seenBy: req.url };
  },
});
const base = await listen(createServer(handler));

describe('node:http adapter over real HTTP', () => {
  it('hands the verified, parsed event to the handler and answers 204', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'order.paid', n: 1 }, { id: 'msg_node_1' });
    expect(await post(`${base}/hook`, body, headers)).toEqual({ status: 204, body: undefined });
    expect(received.at(-1)).toMatchObject({ id: 'msg_node_1', payload: { type: 'order.paid', n: 1 } });
  });

  it("sends the handler's return value as JSON", async () => {
    const { body, headers } = await testHeaders(secret, { reply: true });
    expect(await post(`${base}/hook?x=1`, body, headers)).toEqual({
      status: 200,
      body: { seenBy: '/hook?x=1' },
    });
  });

  it('answers 401 NO_MATCHING_SIGNATURE for a bad signature, without running the handler', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(generateSecret(), { type: 'forged' });
    const result = await post(`${base}/hook`, body, headers);
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ code: 'NO_MATCHING_SIGNATURE' });
    expect(received.length).toBe(before);
  });

  it('answers 400 with the code for missing headers and stale timestamps', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(
      secret,
      { a: 1 },
      { timestamp: Math.floor(Date.now() / 1000) - 301 },
    );
    expect(await post(`${base}/hook`, body, headers)).toMatchObject({
      status: 400,
      body: { code: 'TIMESTAMP_TOO_OLD' },
    });
    expect(await post(`${base}/hook`, body, { 'content-type': 'application/json' })).toMatchObject({
      status: 400,
      body: { code: 'MISSING_HEADER' },
    });
    expect(received.length).toBe(before);
  });

  it('runs the handler once for a redelivered id and answers the duplicate with 200', async () => {
    const before = received.length;
    const first = await testHeaders(secret, { type: 'once' }, { id: 'msg_node_dup' });
    const retry = await testHeaders(secret, { type: 'once' }, { id: 'msg_node_dup' });
    expect((await post(`${base}/hook`, first.body, first.headers)).status).toBe(204);
    expect(await post(`${base}/hook`, retry.body, retry.headers)).toEqual({
      status: 200,
      body: { duplicate: true },
    });
    expect(received.length).toBe(before + 1);
  });

  it('answers 500 when the handler throws, reports it, and processes the retry', async () => {
    const { body, headers } = await testHeaders(secret, { fail: true }, { id: 'msg_node_fail' });
    expect(await post(`${base}/hook`, body, headers)).toMatchObject({
      status: 500,
      body: { code: 'HANDLER_FAILED' },
    });
    expect(errors.at(-1)).toBeInstanceOf(Error);
    // The claim was released: the retry reaches the handler again (and fails again, visibly).
    const count = received.length;
    expect((await post(`${base}/hook`, body, headers)).status).toBe(500);
    expect(received.length).toBe(count + 1);
  });

  it('answers 413 BODY_TOO_LARGE past the limit', async () => {
    const { body, headers } = await testHeaders(secret, { big: 'x'.repeat(70 * 1024) });
    const result = await post(`${base}/hook`, body, headers);
    expect(result).toMatchObject({ status: 413, body: { code: 'BODY_TOO_LARGE' } });
  });
});
