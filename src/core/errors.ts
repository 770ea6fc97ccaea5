/**
 * Errors with stable codes. Callers branch on `code`, never on messages;
 * api/errors.ts is the one place that maps codes to HTTP statuses.
 */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'SIGN_IN_CODE_INVALID'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'IDEMPOTENCY_MISMATCH'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'CONTENT_EXPUNGED'
  | 'NOT_IMPLEMENTED'
  | 'STORE_UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

export class HooklineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HooklineError';
    this.code = code;
  }
}

/** One problem in a request body or query, in the Svix `{loc, msg, type}` shape. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class ValidationError extends HooklineError {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super('VALIDATION', issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export const notFound = (what: string): HooklineError => new HooklineError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string): HooklineError => new HooklineError('CONFLICT', message);
export const invalid = (loc: (string | number)[], msg: string, type = 'value_error'): ValidationError =>
  new ValidationError([{ loc, msg, type }]);
