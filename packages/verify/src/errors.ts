/**
 * Every verification failure is a `WebhookVerificationError` with one of these
 * stable codes; callers branch on `code`, never on the message.
 */
export const ErrorCodes = {
  MISSING_HEADER: 'MISSING_HEADER',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  TIMESTAMP_TOO_OLD: 'TIMESTAMP_TOO_OLD',
  TIMESTAMP_TOO_NEW: 'TIMESTAMP_TOO_NEW',
  INVALID_SIGNATURE_FORMAT: 'INVALID_SIGNATURE_FORMAT',
  NO_MATCHING_SIGNATURE: 'NO_MATCHING_SIGNATURE',
  INVALID_SECRET: 'INVALID_SECRET',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  BODY_NOT_RAW: 'BODY_NOT_RAW',
  /** Raised by the framework adapters only, when a body exceeds their `limit`. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class WebhookVerificationError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }

  /**
   * The HTTP status a receiver should answer with: 401 when the signature does
   * not match, 500 for a misconfigured secret (the receiver's fault, and the
   * sender should retry once it is fixed), 413 for an oversized body, 400 for everything else.
   */
  get status(): 400 | 401 | 413 | 500 {
    if (this.code === 'NO_MATCHING_SIGNATURE') return 401;
    if (this.code === 'BODY_TOO_LARGE') return 413;
    if (this.code === 'INVALID_SECRET') return 500;
    return 400;
  }
}

export function isWebhookVerificationError(error: unknown): error is WebhookVerificationError {
  return error instanceof WebhookVerificationError;
}

export const fail = (code: ErrorCode, message: string): WebhookVerificationError =>
  new WebhookVerificationError(code, message);
