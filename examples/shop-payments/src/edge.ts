/**
 * The shop's public URL: a small reverse proxy in front of the shop, like the
 * load balancer a real shop sits behind. It forwards each request, answers
 * 502 when the shop cannot be reached, and reports every exchange so the
 * runner can narrate what Hookline (or an attacker) sent and what came back.
 * Armed for an order, it forwards two copies of that order's delivery at
 * once: the "two copies of one delivery arrive together" failure.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  webhookId: string;
  userAgent: string;
  orderId: string | null;
  eventType: string | null;
  /** How many requests with this webhook-id had arrived, this one included (retries count up). */
  attempt: number;
  /** 1 normally; 1 and 2 for the two copies of a duplicated delivery. */
  copy: number;
  status: number;
  /** The answer's JSON `code` (a refusal's reason), or the edge's own reason for a 502. */
  code: string | null;
  /** The sender hung up before the answer (Hookline's request timeout). */
  senderGaveUp: boolean;
  /** The request body as received, byte for byte (the attacker replays one). */
  body: string;
}

export interface Edge {
  url: string;
  /** Where the shop listens now; it moves when the shop restarts. */
  setUpstream(url: string): void;
  duplicateNext(orderId: string): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding']);

/** A request whose sender hung up before any answer: told at once, the answer may come much later. */
export type GaveUp = Pick<Exchange, 'webhookId' | 'userAgent' | 'orderId' | 'eventType' | 'attempt'>;

export async function startEdge(
  onExchange: (exchange: Exchange) => void,
  onGaveUp: (request: GaveUp) => void,
): Promise<Edge> {
  let upstream = '';
  const duplicate = new Set<string>();
  const arrivals = new Map<string, number>();

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const { orderId, eventType } = describe(body);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
    }
    const webhookId = headers['webhook-id'] ?? '';
    const userAgent = headers['user-agent'] ?? '';
    const attempt = (arrivals.get(webhookId) ?? 0) + 1;
    arrivals.set(webhookId, attempt);
    let gaveUp = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      gaveUp = true;
      onGaveUp({ webhookId, userAgent, orderId, eventType, attempt });
    });
    const copies = orderId !== null && duplicate.delete(orderId) ? 2 : 1;
    const forward = async (copy: number) => {
      let status: number;
      let text: string;
      let code: string | null = null;
      try {
        const answer = await fetch(upstream + (req.url ?? '/'), { method: req.method, headers, body });
        status = answer.status;
        text = await answer.text();
        code = codeOf(text);
      } catch (error) {
        status = 502;
        code = reasonOf(error);
        text = JSON.stringify({ code, message: 'the shop could not be reached' });
      }
      onExchange({
        webhookId,
        userAgent,
        orderId,
        eventType,
        attempt,
        copy,
        status,
        code,
        senderGaveUp: gaveUp,
        body: body.toString('utf8'),
      });
      return { status, text };
    };
    const answers = await Promise.all(Array.from({ length: copies }, (_, i) => forward(i + 1)));
    const first = answers[0]!;
    if (!res.destroyed) {
      res.writeHead(first.status, first.text ? { 'content-type': 'application/json' } : {}).end(first.text);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setUpstream: (url) => {
      upstream = url;
    },
    duplicateNext: (orderId) => void duplicate.add(orderId),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describe(body: Buffer): { orderId: string | null; eventType: string | null } {
  try {
    const payload = JSON.parse(body.toString('utf8')) as { type?: string; data?: { orderId?: string } };
    return { orderId: payload.data?.orderId ?? null, eventType: payload.type ?? null };
  } catch {
    return { orderId: null, eventType: null };
  }
}

function codeOf(text: string): string | null {
  try {
    const body = JSON.parse(text) as { code?: unknown; duplicate?: unknown };
    if (typeof body.code === 'string') return body.code;
    return body.duplicate === true ? 'DUPLICATE' : null;
  } catch {
    return null;
  }
}

/** Why the shop could not be reached: refused (down) or hung up mid-request (crashed). */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'SHOP_DOWN';
  return 'SHOP_HUNG_UP';
}
