import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, HooklineError, ValidationError, type ValidationIssue } from '../core/errors.js';

/**
 * The one place that turns errors into HTTP responses.
 *
 * Bodies follow Svix: `{code, detail}` with a stable snake_case `code`, except
 * 422, which is `{detail: [{loc, msg, type}]}` (Svix HTTPValidationError).
 *
 * | HooklineError code       | status | body `code`               |
 * |--------------------------|--------|---------------------------|
 * | BAD_REQUEST              | 400    | bad_request               |
 * | UNAUTHORIZED             | 401    | authentication_failed     |
 * | SIGN_IN_CODE_INVALID     | 401    | sign_in_code_invalid      |
 * | FORBIDDEN                | 403    | forbidden                 |
 * | NOT_FOUND                | 404    | not_found                 |
 * | CONFLICT                 | 409    | conflict                  |
 * | IDEMPOTENCY_IN_PROGRESS  | 409    | idempotency_in_progress   |
 * | CONTENT_EXPUNGED         | 409    | content_expunged          |
 * | PAYLOAD_TOO_LARGE        | 413    | payload_too_large         |
 * | UNSUPPORTED_MEDIA_TYPE   | 415    | unsupported_media_type    |
 * | VALIDATION               | 422    | detail[].type per issue   |
 * | IDEMPOTENCY_MISMATCH     | 422    | detail[].type = idempotency_mismatch |
 * | NOT_IMPLEMENTED          | 501    | not_implemented           |
 * | STORE_UNAVAILABLE        | 503    | store_unavailable         |
 * | CONFIG_INVALID, INTERNAL | 500    | internal_error            |
 */
export const HTTP_ERRORS: Record<ErrorCode, { status: number; code: string }> = {
  BAD_REQUEST: { status: 400, code: 'bad_request' },
  UNAUTHORIZED: { status: 401, code: 'authentication_failed' },
  SIGN_IN_CODE_INVALID: { status: 401, code: 'sign_in_code_invalid' },
  FORBIDDEN: { status: 403, code: 'forbidden' },
  NOT_FOUND: { status: 404, code: 'not_found' },
  CONFLICT: { status: 409, code: 'conflict' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, code: 'idempotency_in_progress' },
  CONTENT_EXPUNGED: { status: 409, code: 'content_expunged' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  VALIDATION: { status: 422, code: 'validation' },
  IDEMPOTENCY_MISMATCH: { status: 422, code: 'idempotency_mismatch' },
  NOT_IMPLEMENTED: { status: 501, code: 'not_implemented' },
  STORE_UNAVAILABLE: { status: 503, code: 'store_unavailable' },
  CONFIG_INVALID: { status: 500, code: 'internal_error' },
  INTERNAL: { status: 500, code: 'internal_error' },
};

export interface ErrorResponse {
  status: number;
  body: { code: string; detail: string } | { detail: ValidationIssue[] };
}

/** Fastify's own 4xx errors (body parsing, routing) by status, so none becomes a 500. */
const FASTIFY_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function fromCode(code: ErrorCode, detail: string): ErrorResponse {
  const http = HTTP_ERRORS[code];
  return { status: http.status, body: { code: http.code, detail } };
}

/** Maps any thrown value to a status and a Svix error body. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ValidationError) return { status: 422, body: { detail: err.issues } };
  if (err instanceof HooklineError) {
    if (err.code === 'VALIDATION') {
      return { status: 422, body: { detail: [{ loc: ['body'], msg: err.message, type: 'value_error' }] } };
    }
    if (err.code === 'IDEMPOTENCY_MISMATCH') {
      const issue = { loc: ['header', 'idempotency-key'], msg: err.message, type: 'idempotency_mismatch' };
      return { status: 422, body: { detail: [issue] } };
    }
    // The cause of a 503 (say "connect ECONNREFUSED 10.0.0.5:5432") names internal hosts: logged, not answered.
    if (err.code === 'STORE_UNAVAILABLE')
      return fromCode(err.code, 'the database is unavailable; retry later');
    // A 501 says why the route is not served; other 5xx details could name internals.
    const hidden = HTTP_ERRORS[err.code].status >= 500 && err.code !== 'NOT_IMPLEMENTED';
    return fromCode(err.code, hidden ? 'internal error' : err.message);
  }
  const fastifyError = err as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = FASTIFY_STATUS_CODES[status];
    // Any other 4xx is answered as what its code says, 400 bad_request: status and code always agree.
    return fromCode(code ?? 'BAD_REQUEST', fastifyError.message ?? 'bad request');
  }
  return fromCode('INTERNAL', 'internal error');
}

/** Fastify error handler: logs server faults, answers everything in the Svix shape. */
export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(err);
  if (status >= 500 && status !== 501) request.log.error({ err }, 'request failed');
  void reply.code(status).type('application/json').send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = fromCode('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
  void reply.code(status).type('application/json').send(body);
}
