import { hashApiToken, randomToken } from './api-token.js';

/**
 * The dashboard's one-time sign-in (`hookline dashboard`). The CLI, holding
 * the API token, asks for a sign-in code; the link it prints carries only
 * that code, which the page trades once, within a minute, for an operator
 * session token that expires in hours and that logout revokes. So the
 * long-lived API token never sits in a URL, a browser history or a
 * screenshot of an address bar.
 *
 * Both are stored as `sha256:<hex>` of their text, as the API token is (192
 * random bits each, so a plain SHA-256 is enough). The prefixes tell the
 * API's auth layer what it holds before any lookup.
 */
export const SIGN_IN_CODE_PREFIX = 'hkc_';
export const OPERATOR_SESSION_PREFIX = 'hko_';

/** A code is for the click that follows the command, not for later. */
export const SIGN_IN_CODE_TTL_S = 60;
/** A working day in the dashboard; then `hookline dashboard` again. */
export const OPERATOR_SESSION_TTL_S = 12 * 3600;

export const generateSignInCode = (): string => randomToken(SIGN_IN_CODE_PREFIX);

export const generateOperatorSession = (): string => randomToken(OPERATOR_SESSION_PREFIX);

export const hashOperatorSecret = hashApiToken;

/** One stored operator session, as the auth layer sees it. */
export interface OperatorSession {
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}
