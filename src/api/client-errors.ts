import type { Socket } from 'node:net';

/**
 * Answers for requests Node's HTTP parser refuses before Fastify sees them:
 * a head over the header size limit, a request that did not arrive within
 * the transport's timeouts (transport.ts), bytes that are not HTTP. Fastify's
 * default handler answers these with its own `{error, message, statusCode}`
 * shape; these carry the API's `{code, detail}` like every other error
 * (docs/api.md, Errors), then close the connection, as Node does.
 */
const ANSWERS: Record<string, { status: number; reason: string; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    detail: 'the request did not arrive in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'request_header_too_large',
    detail: 'the request line and headers are over 16 KiB',
  },
};
const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  code: 'bad_request',
  detail: 'malformed HTTP request',
};

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = (err.code && ANSWERS[err.code]) || MALFORMED;
  if (socket.writable) {
    const body = JSON.stringify({ code: answer.code, detail: answer.detail });
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
