import { connect, type Socket } from 'node:net';

/** A raw client socket that collects what the server sends until it closes. */
export interface RawClient {
  socket: Socket;
  received(): string;
  /** Resolves when the server has closed the connection (end or reset). */
  closed: Promise<void>;
  /** Whether the connection has closed. */
  isClosed(): boolean;
}

export async function rawClient(url: string, opts: { read?: boolean } = {}): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let closed = false;
  socket.on('error', () => {});
  if (opts.read !== false) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
  }
  const closing = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', () => resolve());
  }).then(() => {
    closed = true;
  });
  return { socket, received: () => text, closed: closing, isClosed: () => closed };
}

export const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

/** Status and JSON body of a raw HTTP/1.1 answer. */
export function parseAnswer(text: string): { status: number; json: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4);
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  return { status, json };
}
