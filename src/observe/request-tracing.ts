import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE } from './http.js';
import { parseTraceparent } from './traceparent.js';
import { SpanStatusCode, traceparentOf, type Tracing } from './tracing.js';

/**
 * One SERVER span per API request (named by method and route pattern), and
 * the trace context a message accepted by it is stored with: the request's
 * span, or, with tracing off, the caller's own `traceparent` when valid, so
 * `--send-traceparent` still carries the caller's trace to the receiver.
 */
export interface RequestTracing {
  traceparent(request: FastifyRequest): string | null;
}

export function registerRequestTracing(app: FastifyInstance, tracing: Tracing | null): RequestTracing {
  const header = (request: FastifyRequest) => request.headers.traceparent;
  if (tracing === null) {
    return {
      traceparent: (request) =>
        parseTraceparent(header(request)) === null ? null : String(header(request)).trim(),
    };
  }
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const span = tracing.startRequest(`${request.method} ${route}`, header(request));
    span.setAttributes({ 'http.request.method': request.method, 'http.route': route });
    spans.set(request, span);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return {
    traceparent(request) {
      const span = spans.get(request);
      return span ? traceparentOf(span) : null;
    },
  };
}
