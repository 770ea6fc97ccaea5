import { ROOT_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { formatTraceparent, type TraceContext } from './traceparent.js';

/**
 * OpenTelemetry traces, exported over OTLP/HTTP (JSON) when the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set;
 * the exporter reads OTEL_EXPORTER_OTLP_HEADERS itself. Nothing is
 * registered globally: spans are started from this tracer with their parent
 * given explicitly, so one trace runs from the API accept (a SERVER span)
 * through each attempt (a CLIENT span whose parent is the accept's context,
 * read back from the store with the claimed delivery). The SDK and exporter
 * (otlp.ts) are loaded only when traces are on.
 */
export interface Tracing {
  /** A span for one API request, child of the caller's `traceparent` when it sent a valid one. */
  startRequest(name: string, incoming: string | string[] | undefined): Span;
  /** A span for one delivery attempt, child of the accept's stored context (a new trace without one). */
  startAttempt(name: string, parent: string | null): Span;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

/** The span's context as a traceparent value. */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return formatTraceparent({ traceId: c.traceId, spanId: c.spanId, flags: c.traceFlags });
}

export const parentContext = (parent: TraceContext | null) =>
  parent === null
    ? ROOT_CONTEXT
    : trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.flags,
        isRemote: true,
      });

/**
 * Traces on when the environment names an OTLP endpoint (and OTEL_SDK_DISABLED
 * is not `true`); null otherwise, with the SDK never loaded.
 */
export async function startTracing(env: NodeJS.ProcessEnv): Promise<Tracing | null> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true') return null;
  const { createOtlpTracing } = await import('./otlp.js');
  return createOtlpTracing(env, endpoint);
}

export { SpanStatusCode };
