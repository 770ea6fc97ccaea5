import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ClaimedDelivery } from '../store/store.js';
import { truncateText, type SendResult } from './sender.js';

/**
 * `hookline listen` relays. A listen endpoint is a real endpoint whose URL has
 * this scheme: the worker does not POST it, it hands the signed request to
 * the relay hub, which streams it to the connected CLI; the CLI POSTs it to
 * the developer's local receiver and reports the answer, which becomes the
 * attempt like any other (retries, attempt log, resend). The SSRF guard never
 * sees a local address: the local POST is made by the CLI, on the developer's
 * machine.
 */
export const RELAY_SCHEME = 'hookline-listen:';

export const isRelayUrl = (url: string): boolean => url.startsWith(RELAY_SCHEME);
export const relayUrl = (name: string): string => `${RELAY_SCHEME}//${encodeURIComponent(name)}`;

/** What the CLI receives for one delivery attempt. */
export interface RelayRequest {
  requestId: string;
  msgId: string;
  eventType: string;
  /** 1 for the first attempt. */
  attempt: number;
  headers: Record<string, string>;
  body: string;
}

/** What the CLI reports back: the local receiver's answer, or why there was none. */
export interface RelayReport {
  statusCode: number;
  body: string;
  durationMs: number;
  /** Transport failure at the CLI (connection refused, timeout...), when statusCode is 0. */
  error?: string | undefined;
}

export interface RelaySession {
  /** Ends the session: attempts waiting on it fail (and retry on schedule). */
  close(): void;
}

export interface RelayHub {
  /** A CLI connected for `endpointId`; a newer connection replaces an older one. */
  connect(endpointId: string, push: (request: RelayRequest) => void): RelaySession;
  /** One attempt: hand it to the endpoint's session and wait for the report (at most `timeoutMs`). */
  deliver(claim: ClaimedDelivery, headers: Record<string, string>, timeoutMs: number): Promise<SendResult>;
  /** The CLI's report; false when no attempt waits for it (timed out, session gone). */
  report(endpointId: string, requestId: string, report: RelayReport): boolean;
}

/** Without a relay hub (a worker-only process), a listen endpoint's attempt fails with this. */
export const NO_HUB_RESULT: SendResult = relayFailure(
  'this worker process has no `hookline listen` sessions: listen needs the API and the worker in one process (--role all)',
);

function relayFailure(text: string, errorClass: SendResult['errorClass'] = 'relay'): SendResult {
  return { statusCode: 0, body: truncateText(text), durationMs: 0, errorClass, retryAfter: null };
}

/** The CLI's report as the attempt's result: the local receiver's status decides, as for any endpoint. */
function resultOf(report: RelayReport): SendResult {
  if (report.statusCode === 0) {
    return {
      ...relayFailure(`local receiver: ${report.error ?? 'no answer'}`, 'connect'),
      durationMs: report.durationMs,
    };
  }
  const ok = report.statusCode >= 200 && report.statusCode < 300;
  const redirect = report.statusCode >= 300 && report.statusCode < 400;
  return {
    statusCode: report.statusCode,
    body: truncateText(report.body),
    // The local round trip as the CLI measured it, not the relay's.
    durationMs: report.durationMs,
    errorClass: ok ? null : redirect ? 'redirect' : 'http',
    retryAfter: null,
  };
}

interface Session {
  push: (request: RelayRequest) => void;
  waiting: Map<string, (result: SendResult) => void>;
}

export function createRelayHub(): RelayHub {
  const sessions = new Map<string, Session>();

  function end(endpointId: string, session: Session, why: string): void {
    if (sessions.get(endpointId) === session) sessions.delete(endpointId);
    for (const settle of session.waiting.values()) settle(relayFailure(why));
    session.waiting.clear();
  }

  return {
    connect(endpointId, push) {
      const previous = sessions.get(endpointId);
      if (previous) end(endpointId, previous, 'the `hookline listen` session was replaced by a newer one');
      const session: Session = { push, waiting: new Map() };
      sessions.set(endpointId, session);
      return {
        close: () => end(endpointId, session, 'the `hookline listen` session ended before reporting'),
      };
    },
    deliver(claim, headers, timeoutMs) {
      const session = sessions.get(claim.endpoint.id);
      if (!session) {
        return Promise.resolve(
          relayFailure(
            'no `hookline listen` session is connected for this endpoint (to this process); retrying on schedule',
          ),
        );
      }
      const requestId = randomUUID();
      const started = performance.now();
      return new Promise<SendResult>((resolve) => {
        const timer = setTimeout(() => {
          session.waiting.delete(requestId);
          resolve({
            ...relayFailure(
              `the \`hookline listen\` session did not report within ${timeoutMs} ms`,
              'timeout',
            ),
            durationMs: timeoutMs,
          });
        }, timeoutMs);
        session.waiting.set(requestId, (result) => {
          clearTimeout(timer);
          // A failure of the relay itself (the session ended) took as long as we waited.
          resolve(
            result.statusCode === 0 && result.errorClass === 'relay'
              ? { ...result, durationMs: performance.now() - started }
              : result,
          );
        });
        session.push({
          requestId,
          msgId: claim.message.id,
          eventType: claim.message.eventType,
          attempt: claim.attempts + 1,
          headers,
          body: claim.message.payload,
        });
      });
    },
    report(endpointId, requestId, report) {
      const settle = sessions.get(endpointId)?.waiting.get(requestId);
      if (!settle) return false;
      sessions.get(endpointId)?.waiting.delete(requestId);
      settle(resultOf(report));
      return true;
    },
  };
}
