import type { AttemptResult, ClaimedDelivery } from '../store/store.js';
import { SpanStatusCode, traceparentOf, type Tracing } from '../observe/tracing.js';
import type { SendResult } from './sender.js';

/** What the worker asks of tracing per attempt: headers to add, and an end. */
export interface AttemptTrace {
  /** Added to the request (a `traceparent` with --send-traceparent); not signed, as Svix signs only id, timestamp and body. */
  headers: Record<string, string>;
  end(result: AttemptResult, response: SendResult): void;
}
export type AttemptTracer = (claim: ClaimedDelivery) => AttemptTrace;

const NONE: AttemptTrace = { headers: {}, end: () => {} };

/**
 * A CLIENT span per attempt, child of the accepting request's span (its
 * context stored with the message), so one trace shows the accept and every
 * attempt, whichever process made them. With `sendTraceparent` the receiver
 * gets the attempt's context (or, tracing off, the context the message was
 * accepted with). null when neither is on: the worker then does nothing per attempt.
 */
export function createAttemptTracer(tracing: Tracing | null, sendTraceparent: boolean): AttemptTracer | null {
  if (tracing === null && !sendTraceparent) return null;
  return (claim) => {
    if (tracing === null) {
      const { traceparent } = claim.message;
      return traceparent === null ? NONE : { headers: { traceparent }, end: () => {} };
    }
    const span = tracing.startAttempt('webhook attempt', claim.message.traceparent);
    span.setAttributes({
      'http.request.method': 'POST',
      // The host only: a URL's path or query may carry the receiver's own token.
      'server.address': hostOf(claim.endpoint.url),
      'hookline.msg_id': claim.message.id,
      'hookline.endpoint_id': claim.endpoint.id,
      'hookline.event_type': claim.message.eventType,
      'hookline.attempt': claim.attempts + 1,
      'hookline.trigger': claim.trigger,
    });
    return {
      headers: sendTraceparent ? { traceparent: traceparentOf(span) } : {},
      end(result, response) {
        if (response.statusCode > 0) span.setAttribute('http.response.status_code', response.statusCode);
        span.setAttribute('hookline.outcome', result.outcome.kind);
        if (response.errorClass !== null) {
          span.setAttribute('error.type', response.errorClass);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
