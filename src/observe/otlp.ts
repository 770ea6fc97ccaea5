import { SpanKind, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { parseTraceparent } from './traceparent.js';
import { parentContext, type Tracing } from './tracing.js';

/** As the OTLP spec says: the traces variable is the full URL, the general one a base for `/v1/traces`. */
function tracesUrl(env: NodeJS.ProcessEnv, endpoint: string): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return endpoint;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** A tracer provider exporting to `endpoint` in batches (tracing.ts startTracing decides whether). */
export function createOtlpTracing(env: NodeJS.ProcessEnv, endpoint: string): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'hookline' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(env, endpoint) }))],
  });
  const tracer: Tracer = provider.getTracer('hookline');
  return {
    startRequest(name, incoming) {
      return tracer.startSpan(name, { kind: SpanKind.SERVER }, parentContext(parseTraceparent(incoming)));
    },
    startAttempt(name, parent) {
      return tracer.startSpan(name, { kind: SpanKind.CLIENT }, parentContext(parseTraceparent(parent)));
    },
    shutdown: () => provider.shutdown(),
  };
}
