import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What one client connection may hold of the API process. Without these, a
 * stranger trickling a body one byte at a time over a thousand sockets holds
 * the process at its file-descriptor limit (Node's requestTimeout is off
 * under Fastify), and health checks and real clients are refused.
 */
export interface HttpLimits {
  /** The request line and headers must arrive within this (Node answers 408 and closes). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 and close). */
  requestTimeoutMs: number;
  /** A connection on which nothing moves either way for this long is closed. */
  idleTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections; beyond it new ones are closed as they arrive. */
  maxConnections: number;
  /**
   * After refusing a request whose body is still on the wire: how long, and
   * for how many bytes, the socket is still read (and discarded) once the
   * answer is out, so the client reads the answer rather than a reset.
   */
  lingerMs: number;
  lingerBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  // Fastify's default: above the 60 s idle timeout of common load balancers,
  // so the balancer, not Hookline, closes an idle pooled connection.
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1000,
  lingerMs: 2_000,
  lingerBytes: 16 * 1024 * 1024,
};

/** The HTTP server the API listens with (Fastify `serverFactory`). */
export function createHttpServer(handler: RequestListener, limits: HttpLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default,
      // which would let a trickling client stay twice as long as allowed).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs);
  return server;
}

const lingering = new WeakSet<Socket>();

/**
 * Called as an answer is about to go out. When the request's body has not
 * been read (a 401, 404, 413 or 415 decided from the head alone), the answer
 * says `Connection: close` and the socket is closed in stages (RFC 9112
 * section 9.6): our side is half-closed once the answer is written, the rest
 * of the body is read and dropped for at most `lingerMs` and `lingerBytes`,
 * then the socket is destroyed. Closing at once would make the kernel reset a
 * connection the client is still uploading on, and the reset can destroy the
 * answer before the client reads it (a lost 413); reading the body in full
 * would let a stranger make us read 100 MB.
 */
export function closeIfBodyUnread(
  req: IncomingMessage,
  setHeader: (name: string, value: string) => void,
  limits: HttpLimits,
): void {
  if (req.complete) return;
  const socket = req.socket;
  setHeader('connection', 'close');
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Node calls destroySoon() once a `Connection: close` answer is written
  // (after draining the request); by default it destroys the socket as soon
  // as our FIN is out. This instance keeps reading a while first.
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    const timer = setTimeout(() => socket.destroy(), limits.lingerMs);
    timer.unref();
    let read = 0;
    req.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > limits.lingerBytes) socket.destroy();
    });
    socket.once('close', () => clearTimeout(timer));
  };
}
