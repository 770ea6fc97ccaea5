import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  type VerifiedWebhook,
  createIdempotencyGuard,
  fetchWebhook,
  generateSecret,
  memoryStore,
  testHeaders,
} from '@hookline/verify';
import type { Server } from 'node:http';
import { listen, post } from './http.js';

const secret = generateSecret();
const received: VerifiedWebhook[] = [];

// Hono: hand the route's Web Request to the adapter.
const handle = fetchWebhook({
  secret,
  handler: (event, request) => {
    received.push(event);
    if ((event.payload as { respond?: boolean }).respond) {
      return new Response(`custom from ${new URL(request.url).pathname}`, { status: 201 });
    }
    return undefined;
  },
});
const app = new Hono();
app.post('/webhooks', (c) => handle(c.req.raw));
app.post('/json', async (c) => c.json({ parsed: await c.req.json() }));
// The classic mistake: reading the body as JSON before verifying.
app.post('/read-first', async (c) => {
  await c.req.raw.json();
  return handle(c.req.raw);
});
const honoBase = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);

// A Next.js route handler is exactly this shape: `export const POST = fetchWebhook(...)`.
let runs = 0;
const POST = fetchWebhook({
  secret,
  idempotency: createIdempotencyGuard(memoryStore()),
  handler: (event) => {
    runs++;
    return { handled: event.id };
  },
});
const routeBase = await listen(createAdaptorServer({ fetch: POST }) as Server);

describe('Web Request adapter over real HTTP', () => {
  it('Hono: hands the verified event to the handler and answers 204', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'hono' }, { id: 'msg_hono' });
    expect(await post(`${honoBase}/webhooks`, body, headers)).toEqual({ status: 204, body: undefined });
    expect(received.at(-1)).toMatchObject({ id: 'msg_hono', payload: { type: 'hono' } });
    expect(await post(`${honoBase}/json`, '{"a":1}', { 'content-type': 'application/json' })).toEqual({
      status: 200,
      body: { parsed: { a: 1 } },
    });
  });

  it('Hono: returns a Response from the handler as is', async () => {
    const { body, headers } = await testHeaders(secret, { respond: true });
    const response = await fetch(`${honoBase}/webhooks`, { method: 'POST', body, headers });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('custom from /webhooks');
  });

  it('Hono: answers 401 / 400 with the code, without running the handler', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(secret, { type: 'x' });
    expect(
      await post(`${honoBase}/webhooks`, body, { ...headers, 'webhook-signature': 'v1,' }),
    ).toMatchObject({
      status: 400,
      body: { code: 'INVALID_SIGNATURE_FORMAT' },
    });
    expect(await post(`${honoBase}/webhooks`, `${body} `, headers)).toMatchObject({
      status: 401,
      body: { code: 'NO_MATCHING_SIGNATURE' },
    });
    expect(received.length).toBe(before);
  });

  it('answers 400 BODY_NOT_RAW when the body was already read', async () => {
    const before = received.length;
    const { body, headers } = await testHeaders(secret, { type: 'x' });
    const result = await post(`${honoBase}/read-first`, body, headers);
    expect(result).toMatchObject({ status: 400, body: { code: 'BODY_NOT_RAW' } });
    expect((result.body as { message: string }).message).toContain('request.text()');
    expect(received.length).toBe(before);
  });

  it('route handler: runs once per id with the idempotency guard, even for concurrent duplicates', async () => {
    const { body, headers } = await testHeaders(secret, { type: 'route' }, { id: 'msg_route' });
    const results = await Promise.all(Array.from({ length: 10 }, () => post(routeBase, body, headers)));
    expect(runs).toBe(1);
    expect(results.filter((r) => r.status === 200 && (r.body as { handled?: string }).handled)).toHaveLength(
      1,
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(await post(routeBase, body, headers)).toEqual({ status: 200, body: { duplicate: true } });
  });

  it('answers 413 past the limit without reading the rest of a chunked body', async () => {
    const limited = fetchWebhook({ secret, limit: 1024, handler: () => undefined });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls > 1000) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const request = new Request('http://localhost/hook', {
      method: 'POST',
      body: endless,
      duplex: 'half',
    } as RequestInit);
    const response = await limited(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect(pulls).toBeLessThan(5);
  });
});
