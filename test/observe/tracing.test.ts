import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Server, startServer } from '../../src/server.js';
import { forEachBackend } from '../helpers/backends.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { serverConfig, TOKEN } from './scrape.js';

/** A span as OTLP/HTTP JSON carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/** A local OTLP/HTTP collector: every span posted to /v1/traces, and the service name it came with. */
async function startCollector() {
  const spans: OtlpSpan[] = [];
  const services: string[] = [];
  const paths: string[] = [];
  const server: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      };
      for (const rs of body.resourceSpans) {
        const name = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        if (name) services.push(name);
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    services,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
const SERVER = 2;
const CLIENT = 3;

forEachBackend('traces', (backend) => {
  let receiver: Receiver;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let server: Server | undefined;
  beforeEach(async () => {
    // First attempt fails, the retry succeeds: two attempts, one trace.
    receiver = await startReceiver();
    receiver.enqueue({ status: 503, body: 'busy' });
    collector = await startCollector();
  });
  afterEach(async () => {
    await server?.stop();
    await Promise.all([receiver.close(), collector.close()]);
  });

  async function acceptOne(url: string, traceparent: string): Promise<string> {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown, extra: Record<string, string> = {}) =>
      (await (
        await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { ...headers, ...extra },
          body: JSON.stringify(body),
        })
      ).json()) as { id: string };
    const app = await post('/api/v1/app', { name: 'shop' });
    await post(`/api/v1/app/${app.id}/endpoint`, { url: `${receiver.url}/hook` });
    const msg = await post(
      `/api/v1/app/${app.id}/msg`,
      { eventType: 'order.paid', payload: { n: 1 } },
      { traceparent },
    );
    return msg.id;
  }

  it("runs one trace from the caller's span through the accept to every attempt, sent on to the receiver", async () => {
    const db = await backend.database('traces');
    server = await startServer(
      serverConfig(db.url, { retrySchedule: [100], sendTraceparent: true }),
      pino({ level: 'silent' }),
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'hookline-test' },
      },
    );
    await acceptOne(server.url, CLIENT_TRACEPARENT);
    const [first, second] = await receiver.waitFor(2);
    // Stopping flushes the spans still batched.
    await server.stop();
    server = undefined;

    expect(collector.paths.every((p) => p === 'POST /v1/traces application/json')).toBe(true);
    expect(new Set(collector.services)).toEqual(new Set(['hookline-test']));
    const accept = collector.spans.filter((s) => s.name === 'POST /api/v1/app/:app_id/msg');
    expect(accept).toHaveLength(1);
    expect(accept[0]).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN, kind: SERVER });
    const attempts = collector.spans.filter((s) => s.name === 'webhook attempt');
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: accept[0]?.spanId, kind: CLIENT });
    }
    // Each attempt told the receiver its own span.
    const sent = [first, second].map((r) => r?.headers.traceparent);
    expect(new Set(sent)).toEqual(new Set(attempts.map((a) => `00-${CLIENT_TRACE}-${a.spanId}-01`)));
    // The other API requests are traced too, each its own trace (no parent sent).
    const created = collector.spans.filter((s) => s.name === 'POST /api/v1/app');
    expect(created).toHaveLength(1);
    expect(created[0]?.traceId).not.toBe(CLIENT_TRACE);
  });

  it("with traces off, forwards the caller's traceparent only when asked to", async () => {
    const db = await backend.database('traces-off');
    server = await startServer(
      serverConfig(db.url, { retrySchedule: [100], sendTraceparent: true }),
      pino({ level: 'silent' }),
      {
        env: {},
      },
    );
    await acceptOne(server.url, CLIENT_TRACEPARENT);
    const received = await receiver.waitFor(2);
    expect(received.map((r) => r.headers.traceparent)).toEqual([CLIENT_TRACEPARENT, CLIENT_TRACEPARENT]);
    await server.stop();

    const quiet = await backend.database('traces-quiet');
    server = await startServer(serverConfig(quiet.url), pino({ level: 'silent' }), { env: {} });
    await acceptOne(server.url, CLIENT_TRACEPARENT);
    const [third] = (await receiver.waitFor(3)).slice(2);
    expect(third?.headers).not.toHaveProperty('traceparent');
    expect(collector.spans).toEqual([]);
  });
});
