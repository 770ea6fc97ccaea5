import type { ErrorClass } from '../core/model.js';

/**
 * Code carried by errors that a connect-time policy (the SSRF guard's DNS
 * lookup) raises to refuse an address; such attempts are recorded as `blocked`.
 */
export const BLOCKED_CODE = 'HOOKLINE_BLOCKED';
/** Code of the error the sender raises when the whole-request deadline passes. */
export const DEADLINE_CODE = 'HOOKLINE_DEADLINE';

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA']);
const CONNECT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  DEADLINE_CODE,
]);
// Response headers over the parser's limit (undici's llhttp, or Node's own).
const HEADERS = new Set(['UND_ERR_HEADERS_OVERFLOW', 'HPE_HEADER_OVERFLOW']);
// Node's TLS verification failures keep OpenSSL's names (no common prefix).
const TLS = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classOfCode(code: string): ErrorClass | undefined {
  if (code === BLOCKED_CODE) return 'blocked';
  if (DNS.has(code)) return 'dns';
  if (HEADERS.has(code)) return 'headers';
  if (TIMEOUT.has(code)) return 'timeout';
  if (TLS.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'tls';
  if (CONNECT.has(code)) return 'connect';
  return undefined;
}

/**
 * The class of a transport failure. Walks the `cause` chain (and aggregate
 * errors from happy-eyeballs connects) because undici and fetch wrap the
 * socket error that actually says what went wrong.
 */
export function classifyError(err: unknown): ErrorClass {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const code = codeOf(e);
    const cls = code === undefined ? undefined : classOfCode(code);
    if (cls) return cls;
    // An abort that carries our deadline (or a DOM TimeoutError) is a timeout too.
    if ((e as { name?: unknown }).name === 'TimeoutError') return 'timeout';
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return 'other';
}

/** A short text for the attempt log: the code when there is one, then the message. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let inner: unknown = err;
  const parts: string[] = [];
  for (let depth = 0; inner instanceof Error && depth < 4; depth++) {
    const code = codeOf(inner);
    const text = code && !inner.message.includes(code) ? `${code}: ${inner.message}` : inner.message;
    if (text && !parts.includes(text)) parts.push(text);
    inner = inner.cause;
  }
  return parts.join(' <- ') || err.name;
}
