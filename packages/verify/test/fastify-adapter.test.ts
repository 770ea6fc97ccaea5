import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { type VerifiedWebhook, fastifyWebhook, generateSecret, testHeaders } from '@hookline/verify';
import { post } from './http.js';

const secret = generateSecret();
const received: VerifiedWebhook[] = [];

const app = Fastify();
app.register(
  fastifyWebhook({
    path: '/webhooks',
    secret,
    handler: (event, request: FastifyRequest, reply: FastifyReply) => {
      received.push(event);
      const payload = event.payload as { answer?: boolean; fail?: boolean };
      if (payload.fail) throw new Error('handler blew up');
      if (payload.answer) return reply.code(202).send({ viaReply: request.url });
      return undefined;
    },
  }),
);
app.register(fastifyWebhook({ secret, handler: (event) => ({ prefixed: event.id }) }), {
  prefix: '/prefixed',
});
// Outside the plugin, Fastify's own JSON parsing is untouched.
app.post('/json', async (request) => ({ parsed: request.body }));

const base = await app.listen({ port: 0, host: '127.0.0.1' });
afterAll(() => app.close());

describe('Fastify adapter over real HTTP', () => {
  it('hands the verified event to the handler and answers 204', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'f', list: [1, 2] }, { id: 'msg_fastify' });
    expect(await post(`${base}/webhooks`, body, headers)).toEqual({ status: 204, body: undefined });
    expect(received.at(-1)).toMatchObject({ id: 'msg_fastify', payload: { type: 'f', list: [1, 2] } });
  });

  it('lets the handler answer through reply, and works under a register prefix', async () => {
    const { body, headers } = await testHeaders(secret, { answer: true });
    expect(await post(`${base}/webhooks`, body, headers)).toEqual({
      status: 202,
      body: { viaReply: '/webhooks' },
    });
    const other = await testHeaders(secret, { x: 1 }, { id: 'msg_prefixed' });
    expect(await post(`${base}/prefixed`, other.body, other.headers)).toEqual({
      status: 200,
      body: { prefixed: 'msg_prefixed' },
    });
  });

  it('keeps JSON parsing for the rest of the app', async () => {
    expect(await post(`${base}/json`, '{"ok":true}', { 'content-type': 'application/json' })).toEqual({
      status: 200,
      body: { parsed: { ok: true } },
    });
  });

  it('answers 401 for a bad signature and 400 for a bad timestamp, without running the handler', async () => {
    const before = received.length;
    const forged = await testHeaders(generateSecret(), { type: 'forged' });
    expect(await post(`${base}/webhooks`, forged.body, forged.headers)).toMatchObject({
      status: 401,
      body: { code: 'NO_MATCHING_SIGNATURE' },
    });
    const stale = await testHeaders(
      secret,
      { type: 'late' },
      { timestamp: Math.floor(Date.now() / 1000) + 301 },
    );
    expect(await post(`${base}/webhooks`, stale.body, stale.headers)).toMatchObject({
      status: 400,
      body: { code: 'TIMESTAMP_TOO_NEW' },
    });
    expect(received.length).toBe(before);
  });

  it('verifies bodies of any content type, including none', async () => {
    const { body, headers } = await testHeaders(secret, 'plain text is fine for verifyRaw but not JSON');
    const result = await post(`${base}/webhooks`, body, { ...headers, 'content-type': 'text/plain' });
    // Verified (not 401), then rejected because verify() parses JSON.
    expect(result).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD' } });
    const empty = await testHeaders(secret, '');
    const { 'content-type': _, ...noType } = empty.headers;
    expect(await post(`${base}/webhooks`, '', noType)).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PAYLOAD' },
    });
  });

  it("leaves handler errors to Fastify's error handler", async () => {
    const { body, headers } = await testHeaders(secret, { fail: true });
    const result = await post(`${base}/webhooks`, body, headers);
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ message: 'handler blew up' });
  });
});
