/**
 * W3C Trace Context `traceparent` (version 00): `00-<32 hex trace id>-<16 hex
 * parent span id>-<2 hex flags>`. Parsed by hand (a regex) so that reading and
 * forwarding a client's context costs nothing when tracing is off.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  flags: number;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The context in a header value, or null when it is absent or not a valid version-00 traceparent. */
export function parseTraceparent(value: string | string[] | null | undefined): TraceContext | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return null;
  const [, traceId = '', spanId = '', flags = '00'] = m;
  // All-zero ids are invalid by the spec.
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

export function formatTraceparent(c: TraceContext): string {
  return `00-${c.traceId}-${c.spanId}-${(c.flags & 0xff).toString(16).padStart(2, '0')}`;
}
