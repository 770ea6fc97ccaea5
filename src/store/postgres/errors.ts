import { conflict, HooklineError, notFound } from '../../core/errors.js';

/**
 * Errors that mean "the database is not reachable right now" rather than "this
 * request is wrong": socket errors, the server shutting down or restarting
 * (57P0x), connection exceptions (class 08), too many connections.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown: the server was stopped or restarted
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '40001', // serialization_failure: safe to retry, like a lost connection
  '40P01', // deadlock_detected
]);
// pg raises these without a code when the socket dies under it.
const UNAVAILABLE_MESSAGE =
  /connection terminated|connection ended|timeout exceeded when trying to connect|not queryable|connection error|Cannot use a pool after calling end|Query read timeout/i;

export function isUnavailable(err: unknown): boolean {
  if (err instanceof HooklineError) return err.code === 'STORE_UNAVAILABLE';
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  return typeof e?.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}

/** Failures after which the server has certainly not committed the statement, although they read as "unavailable". */
const ROLLED_BACK_CODES = new Set([
  '40P01', // deadlock_detected: the server aborted the transaction
  '40001', // serialization_failure: likewise
  '53300', // too_many_connections: the statement never ran
  '57P03', // cannot_connect_now: likewise
  'ECONNREFUSED', // no connection, so no statement
]);

/**
 * Whether a failed statement certainly stored nothing, so running its work
 * again cannot store it twice: the server refused it (a constraint, a bad
 * value, a deadlock) or it never reached the server. A connection lost while
 * the statement ran is not: it may have committed without our hearing it.
 */
export function rolledBack(err: unknown): boolean {
  const original = err instanceof HooklineError && err.cause !== undefined ? err.cause : err;
  const code = (original as { code?: unknown } | null)?.code;
  return !isUnavailable(original) || (typeof code === 'string' && ROLLED_BACK_CODES.has(code));
}

/**
 * Maps a pg failure to a stable code: connection loss becomes
 * STORE_UNAVAILABLE (the API answers 503), unique violations CONFLICT with
 * `what` in the message, a missing parent row NOT_FOUND.
 */
export function mapPgError(err: unknown, what = 'record'): HooklineError | unknown {
  if (err instanceof HooklineError) return err;
  if (isUnavailable(err)) {
    const detail = (err as Error).message ?? String(err);
    return new HooklineError('STORE_UNAVAILABLE', `database unavailable: ${detail}`, { cause: err });
  }
  const code = (err as { code?: string }).code;
  // A character the database cannot store (NUL, or one outside its encoding) in what the
  // API does not check field by field: the request's fault, not the server's.
  if (code === '22021' || code === '22P05') {
    return new HooklineError(
      'BAD_REQUEST',
      'the request holds a character the database cannot store (such as NUL)',
      {
        cause: err,
      },
    );
  }
  if (code === '23505') return conflict(`${what} already exists`);
  if (code === '23503') return notFound(what === 'record' ? 'parent record' : what);
  return err;
}
