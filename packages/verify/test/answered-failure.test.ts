import { createServer } from 'node:http';
import express from 'express';
import Fastify, { type FastifyReply } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createIdempotencyGuard,
  expressWebhook,
  fastifyWebhook,
  fetchWebhook,
  generateSecret,
  memoryStore,
  nodeWebhook,
  testHeaders,
  verifyGithub,
} from '@hookline/verify';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { listen, post } from './http.js';

/**
 * A handler that answers non-2xx by itself (a 503 Response, reply.code(503))
 * has not handled the event: the sender retries, and the retry must run it
 * again instead of getting `{duplicate: true}`.
 */
const secret = generateSecret();
const guard = () => createIdempotencyGuard(memoryStore());
/** Fails the first call for an id with 503, succeeds after. */
function flaky() {
  const calls = new Map<string, number>();
  return (id: string | undefined) => {
    const n = (calls.get(id ?? '') ?? 0) + 1;
    calls.set(id ?? '', n);
    return n === 1;
  };
}

async function servers() {
  const fetchFails = flaky();
  const fetchBase = await listen(
    createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const request = new Request(`http://x${req.url}`, {
        method: 'POST',
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      const response = await fetchHandler(request);
      res.writeHead(response.status, { 'content-type': 'application/json' }).end(await response.text());
    }),
  );
  const fetchHandler = fetchWebhook({
    secret,
    idempotency: guard(),
    handler: (event) =>
      fetchFails(event.id) ? Response.json({ down: true }, { status: 503 }) : Response.json({ ok: event.id }),
  });

  const nodeFails = flaky();
  const nodeBase = await listen(
    createServer(
      nodeWebhook({
        secret,
        idempotency: guard(),
        handler: (event, _req, res) => {
          if (nodeFails(event.id)) res.writeHead(503).end('{"down":true}');
          else return { ok: event.id };
        },
      }),
    ),
  );

  const expressFails = flaky();
  const app = express();
  app.post(
    '/',
    expressWebhook({
      secret,
      idempotency: guard(),
      handler: (event, _req, res: express.Response) => {
        if (expressFails(event.id)) res.status(503).json({ down: true });
        else return { ok: event.id };
      },
    }),
  );
  const expressBase = await listen(createServer(app));

  const fastifyFails = flaky();
  const fastify = Fastify();
  fastify.register(
    fastifyWebhook({
      secret,
      idempotency: guard(),
      handler: (event, _request, reply: FastifyReply) =>
        fastifyFails(event.id) ? reply.code(503).send({ down: true }) : { ok: event.id },
    }),
  );
  const fastifyBase = await fastify.listen({ port: 0, host: '127.0.0.1' });
  afterAll(() => fastify.close());

  return { fetch: fetchBase, node: nodeBase, express: expressBase, fastify: fastifyBase };
}
const bases = await servers();

describe('a handler that answers non-2xx itself leaves the event id unclaimed', () => {
  for (const [name, base] of Object.entries(bases)) {
    it(`${name}: the retry runs the handler again, and only then is the id done`, async () => {
      const { body, headers } = await testHeaders(secret, { type: name }, { id: `msg_${name}` });
      expect(await post(base, body, headers)).toEqual({ status: 503, body: { down: true } });
      expect(await post(base, body, headers)).toEqual({ status: 200, body: { ok: `msg_${name}` } });
      expect(await post(base, body, headers)).toEqual({ status: 200, body: { duplicate: true } });
    });
  }
});

describe('an empty event id', () => {
  it('is handled like no id (no deduplication), not a 500', async () => {
    const githubSecret = 'github-secret';
    let runs = 0;
    const base = await listen(
      createServer(
        nodeWebhook({
          verify: (raw, headers) => verifyGithub(raw, headers, githubSecret),
          idempotency: guard(),
          handler: () => {
            runs++;
            return { runs };
          },
        }),
      ),
    );
    const body = JSON.stringify({ action: 'opened' });
    const headers = { 'x-hub-signature-256': await octokitSign(githubSecret, body), 'x-github-delivery': '' };
    expect(await post(base, body, headers)).toEqual({ status: 200, body: { runs: 1 } });
    expect(await post(base, body, headers)).toEqual({ status: 200, body: { runs: 2 } });
  });
});
