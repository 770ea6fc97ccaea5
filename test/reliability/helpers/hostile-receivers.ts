import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Receivers that misbehave at the TCP and HTTP level, written on raw sockets
 * so they can do what an HTTP server library would not let them: trickle a
 * status line, announce a body they never send, reset the connection.
 * Each waits for the request's first bytes, then plays its part.
 */
export type Hostility =
  /** 200 with a 64 MiB body streamed as fast as the socket takes it. */
  | 'huge-2xx'
  /** 500 with a 64 MiB body. */
  | 'huge-5xx'
  /** The status line and headers one byte at a time, forever. */
  | 'slow-headers'
  /** 200 and its headers at once, then a chunked body one byte at a time, forever. */
  | 'trickle-2xx'
  /** 503 and its headers at once, then a body one byte at a time, forever. */
  | 'trickle-5xx'
  /** Reads the request and never answers. */
  | 'never-answers'
  /** Closes the socket (FIN) as soon as the request arrives. */
  | 'close'
  /** Resets the connection (RST) as soon as the request arrives. */
  | 'reset'
  /** 200 announcing 1,000 bytes of body, sends 10, then resets. */
  | 'truncated-2xx'
  /** A 64 KiB response header, over the HTTP parser's limit. */
  | 'header-overflow';

export interface HostileReceiver {
  readonly url: string;
  /** Connections that sent at least one byte (a request began). */
  readonly requests: number;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

function play(socket: Socket, kind: Hostility, timers: Set<NodeJS.Timeout>): void {
  const every = (ms: number, fn: () => void) => {
    const t = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(t);
        timers.delete(t);
        return;
      }
      fn();
    }, ms);
    timers.add(t);
  };
  const huge = (status: string) => {
    socket.write(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${64 * MIB}\r\n\r\n`);
    const chunk = Buffer.alloc(MIB, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < 64 && !socket.destroyed) {
        sent++;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  };
  const trickle = (status: string) => {
    socket.write(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n`);
    every(50, () => socket.write('1\r\nx\r\n'));
  };
  switch (kind) {
    case 'huge-2xx':
      huge('200 OK');
      break;
    case 'huge-5xx':
      huge('500 Internal Server Error');
      break;
    case 'slow-headers': {
      const head = `HTTP/1.1 200 OK\r\ncontent-length: 0\r\n${'x-slow: 1\r\n'.repeat(10_000)}\r\n`;
      let i = 0;
      every(50, () => socket.write(head[i++ % head.length]!));
      break;
    }
    case 'trickle-2xx':
      trickle('200 OK');
      break;
    case 'trickle-5xx':
      trickle('503 Service Unavailable');
      break;
    case 'never-answers':
      break;
    case 'close':
      socket.end();
      break;
    case 'reset':
      socket.resetAndDestroy();
      break;
    case 'truncated-2xx':
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n${'y'.repeat(10)}`);
      setImmediate(() => socket.resetAndDestroy());
      break;
    case 'header-overflow':
      socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(64 * 1024)}\r\ncontent-length: 0\r\n\r\n`);
      break;
  }
}

export async function startHostileReceiver(kind: Hostility): Promise<HostileReceiver> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      requests++;
      play(socket, kind, timers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${kind}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
