import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** How often a comment line goes out on an idle stream: below the 60 s socket idle timeout (transport.ts). */
const HEARTBEAT_MS = 15_000;

/** One open server-sent-events response. */
export interface EventStream {
  /** Sends one event; `id` becomes the client's Last-Event-ID on reconnect. */
  send(event: string, data: unknown, id?: string): void;
  /** Ends the response (idempotent). */
  close(): void;
  /** Aborted when the client goes away or the stream is closed (server stopping included). */
  readonly signal: AbortSignal;
}

/** Open streams, so a stopping server ends them instead of waiting for their clients to leave. */
export interface StreamRegistry {
  open(request: FastifyRequest, reply: FastifyReply): EventStream;
  closeAll(): void;
}

/** Registers a preClose hook on `app` that ends every stream still open. */
export function createStreamRegistry(app: FastifyInstance): StreamRegistry {
  const open = new Set<EventStream>();
  app.addHook('preClose', (done) => {
    for (const s of open) s.close();
    done();
  });
  return {
    open(request, reply) {
      const stream = openEventStream(request, reply, () => open.delete(stream));
      open.add(stream);
      return stream;
    },
    closeAll() {
      for (const s of open) s.close();
    },
  };
}

/**
 * Takes the response over from Fastify (hijack) and writes `text/event-stream`:
 * `event:`, `id:` and one `data:` line of JSON per event, a comment as a
 * heartbeat, so proxies and the idle timeout keep the connection.
 */
function openEventStream(request: FastifyRequest, reply: FastifyReply, onClose: () => void): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx and similar proxies buffer responses unless told not to.
    'x-accel-buffering': 'no',
  });
  res.write(': hookline stream\n\n');
  const controller = new AbortController();
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = () => {
    if (controller.signal.aborted) return;
    clearInterval(heartbeat);
    controller.abort();
    onClose();
    res.end();
  };
  request.raw.socket.once('close', close);
  res.once('close', close);
  return {
    send(event, data, id) {
      if (controller.signal.aborted) return;
      const idLine = id === undefined ? '' : `id: ${id}\n`;
      res.write(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
    },
    close,
    signal: controller.signal,
  };
}
