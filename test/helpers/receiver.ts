import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it: headers and the exact raw body. */
export interface ReceivedRequest {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body bytes as UTF-8 text (what signatures are computed over). */
  body: string;
  rawBody: Buffer;
}

/**
 * How to answer one request. `destroy` closes the socket without a response
 * (a reset connection); `hang` never answers (a timeout), until close().
 */
export type Reply =
  | { status?: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number }
  | { action: 'destroy' }
  | { action: 'hang' };

export type Responder = (req: ReceivedRequest) => Reply | Promise<Reply>;

export interface Receiver {
  /** `http://127.0.0.1:<port>`; append any path. */
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Scripts the next requests' replies, in order; afterwards the fallback answers. */
  enqueue(...replies: Reply[]): void;
  /** Replaces the fallback (default: 200 with body "ok"). */
  respondWith(responder: Responder): void;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`, a failsafe). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and an OS-chosen port, for end-to-end tests. */
export async function startReceiver(fallback?: Responder): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const script: Reply[] = [];
  let responder: Responder = fallback ?? (() => ({ status: 200, body: 'ok' }));
  const waiters = new Set<() => void>();

  async function answer(res: ServerResponse, reply: Reply): Promise<void> {
    if ('action' in reply) {
      if (reply.action === 'destroy') res.socket?.destroy();
      return; // hang: leave the response open
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.writeHead(reply.status ?? 200, reply.headers);
    res.end(reply.body ?? '');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const received: ReceivedRequest = {
        index: requests.length,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: rawBody.toString('utf8'),
        rawBody,
      };
      requests.push(received);
      for (const w of waiters) w();
      const scripted = script.shift();
      Promise.resolve(scripted ?? responder(received))
        .then((reply) => answer(res, reply))
        .catch(() => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...replies) => {
      script.push(...replies);
    },
    respondWith: (r) => {
      responder = r;
    },
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < count) return;
          cleanup();
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`receiver got ${requests.length} of ${count} requests in ${timeoutMs}ms`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
