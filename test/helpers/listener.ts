import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bare HTTP listener on a chosen loopback address that counts connections,
 * not only requests: an SSRF test must show a forbidden address was never
 * even connected to.
 */
export interface Listener {
  host: string;
  port: number;
  connections: number;
  requests: { url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const ok: Handler = (_req, res) => res.end('ok');

export async function listen(host: string, port = 0, handler: Handler = ok): Promise<Listener> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  const state: Listener = {
    host,
    port,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  state.port = (server.address() as AddressInfo).port;
  return state;
}

/**
 * Two listeners on the same port, one on each host (e.g. 127.0.0.2 and
 * 127.0.0.1), so a URL with a name and a port reaches one or the other
 * depending only on the address the name resolved to.
 */
export async function listenPair(
  hosts: [string, string],
  handlers: [Handler?, Handler?] = [],
): Promise<[Listener, Listener]> {
  for (let tries = 0; ; tries++) {
    const first = await listen(hosts[0], 0, handlers[0]);
    try {
      return [first, await listen(hosts[1], first.port, handlers[1])];
    } catch (err) {
      await first.close();
      // The OS gave the first host a port someone holds on the second: pick another.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries > 20) throw err;
    }
  }
}
